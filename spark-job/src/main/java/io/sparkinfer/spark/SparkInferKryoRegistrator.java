package io.sparkinfer.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers the classes the job ships through Kryo (the broadcast tokenizer, token ids).
 * Records and the tokenizer go through Java serialization inside Kryo (records' fields are set
 * by the canonical constructor; the tokenizer travels as its vocabulary and is rebuilt).
 * Use with {@code spark.kryo.registrationRequired=false}: not all of Spark's own classes are registered.
 */
public final class SparkInferKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(int[].class);
        kryo.register(int[][].class);
        kryo.register(float[].class);
        kryo.register(String[].class);
        kryo.register(TokenizerCodec.class, new JavaSerializer());
        kryo.register(EncodedPrompt.class, new JavaSerializer());
        kryo.register(ModelHandle.class, new JavaSerializer());
        kryo.register(PromptTemplate.class, new JavaSerializer());
        kryo.register(InferenceOptions.class, new JavaSerializer());
        kryo.register(PromptEncoder.class, new JavaSerializer());
    }
}
