package io.sparkinfer.spark;

import io.sparkinfer.generate.TokenText;
import java.io.Serializable;

/**
 * What the Spark layer needs from a tokenizer: text to ids on the driver side (templating stage),
 * ids to text and end-of-generation ids on the executors (inference stage). Serializable: the
 * driver broadcasts it. {@link TextCodecs} builds one from a model file.
 */
public interface TextCodec extends TokenText, Serializable {

    /** Token ids of {@code text}; the BOS id first when {@code addBos} and the model has one. */
    int[] encode(String text, boolean addBos);

    /** The BOS id, or -1 when the model has none. */
    int bos();

    int vocabSize();

    /** A short stable description of the vocabulary (for the config fingerprint). */
    String fingerprint();
}
