package io.sparkinfer.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sparkinfer.model.LoadedModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

/** No Spark session: the broadcast codec's serialization, seeds, options, fingerprints, executor cores. */
class CodecAndOptionsTest {

    static TextCodec codec() {
        try (LoadedModel m = LoadedModel.open(Path.of(TestData.gguf()))) {
            return TextCodecs.forModel(m, null);
        }
    }

    @Test
    void codecSurvivesJavaAndKryoSerializationAndBothFilesAgree() throws Exception {
        TextCodec c = codec();
        String text = "Once upon a time, Lily found a shiny ball.";
        int[] ids = c.encode(text, true);
        assertEquals(c.bos(), ids[0]);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        TextCodec java = (TextCodec) new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
        assertArrayEquals(ids, java.encode(text, true));

        SerializerInstance kryo = new KryoSerializer(SparkInfer.configure(new SparkConf())).newInstance();
        TextCodec viaKryo = kryo.deserialize(kryo.serialize(c, ClassTag$.MODULE$.apply(TextCodec.class)),
                ClassTag$.MODULE$.apply(TextCodec.class));
        assertArrayEquals(ids, viaKryo.encode(text, true));
        assertEquals(c.fingerprint(), viaKryo.fingerprint());
        assertEquals(c.decode(ids), viaKryo.decode(ids));

        try (LoadedModel m = LoadedModel.open(Path.of(TestData.llama2cBin()))) {
            TextCodec bin = TextCodecs.forModel(m, Path.of(TestData.llama2cTokenizer()));
            assertArrayEquals(ids, bin.encode(text, true), "tok512.bin and the GGUF header are the same vocabulary");
        }
    }

    @Test
    void seedsDependOnJobSeedAndIdOnly() {
        assertEquals(RowSeeds.of(42, "a"), RowSeeds.of(42, "a"));
        assertNotEquals(RowSeeds.of(42, "a"), RowSeeds.of(42, "b"));
        assertNotEquals(RowSeeds.of(42, "a"), RowSeeds.of(43, "a"));
    }

    @Test
    void optionsNormalizeKeysAndFingerprintTracksOutputAffectingOnes() {
        Properties p = new Properties();
        p.setProperty("max.tokens", "12");
        p.setProperty("Text-Col", "prompt");
        InferenceOptions o = InferenceOptions.of(p);
        assertEquals(12, o.maxTokens());
        assertEquals("{prompt}", o.template());
        assertEquals(12, o.sampling().maxTokens());
        String a = Fingerprint.of("m", "t", o.outputAffecting());
        assertEquals(a, Fingerprint.of("m", "t", o.with("window", 3).with("output", "x").outputAffecting()));
        assertNotEquals(a, Fingerprint.of("m", "t", o.with("max_tokens", 13).outputAffecting()));
        assertNotEquals(a, Fingerprint.of("m", "t", o.with("template", "Q: {prompt}").outputAffecting()));
        assertNotEquals(a, Fingerprint.of("m2", "t", o.outputAffecting()));
        assertNotEquals(Fingerprint.modelFile(Path.of(TestData.gguf())), Fingerprint.modelFile(Path.of(TestData.llama2cBin())));
        assertEquals(Fingerprint.modelFile(Path.of(TestData.gguf())), Fingerprint.modelFile(Path.of(TestData.gguf())));
    }

    @Test
    void executorCoresFromTheMaster() {
        assertEquals(2, ReplicaHolder.executorCores("local[2]", 0));
        assertEquals(3, ReplicaHolder.executorCores("local[3,4]", 0));
        assertEquals(1, ReplicaHolder.executorCores("local-cluster[2,1,1024]", 0));
        assertEquals(4, ReplicaHolder.executorCores("yarn", 4));
    }
}
