package io.sparkinfer.spark;

import java.util.List;
import org.apache.spark.broadcast.Broadcast;

/**
 * What the driver computes once per job before any task runs: the broadcast tokenizer, the
 * context, the prompt encoder, the label ids and the config fingerprint.
 */
public record PreparedJob(InferenceOptions options, Broadcast<TextCodec> codec, int maxSeqLen, PromptEncoder encoder,
        int[][] labelIds, String fingerprint) {

    public List<String> labels() {
        return options.labels();
    }
}
