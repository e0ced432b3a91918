package io.sparkinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.model.LoadedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** local[2] end to end on stories260K: 200 prompts -> a Parquet table of 200 rows equal to the engine's own outputs. */
class GenerateEndToEndTest {
    static SparkSession spark;
    static Path dir;

    @BeforeAll
    static void start() {
        dir = SparkTestSession.tempDir("sparkinfer-e2e");
        spark = SparkTestSession.start("local[2]", "e2e", dir.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Dataset<Row> prompts(int n) {
        List<Row> rows = new ArrayList<>();
        List<String> p = TestData.prompts(n);
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create((long) i, p.get(i)));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("prompt", DataTypes.StringType, true);
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    @Test
    void twoHundredPromptsGiveTheEnginesOwnOutputs() {
        int maxTokens = 24;
        InferenceOptions o = InferenceOptions.defaults().with("model", TestData.gguf()).with("text_col", "prompt")
                .with("max_tokens", maxTokens).with("window", 8).with("output", dir.resolve("out").toString())
                .with("progress_interval_s", 1);
        JobSummary s = SparkInfer.write(prompts(200), o);
        assertEquals(200, s.rows());
        assertEquals(0, s.errors());

        Dataset<Row> out = spark.read().parquet(dir.resolve("out").toString());
        assertEquals(List.of("id", "output", "finish_reason", "prompt_tokens", "completion_tokens", "logprob", "perplexity",
                "label_scores", "error", "latency_ms", "fingerprint"), List.of(out.columns()));
        assertEquals(DataTypes.LongType, out.schema().apply("id").dataType());
        assertEquals(200, out.count());
        assertEquals(200, out.select("id").distinct().count());

        Map<Long, Row> byId = new HashMap<>();
        for (Row r : out.collectAsList()) {
            byId.put(r.getLong(0), r);
        }
        List<String> p = TestData.prompts(200);
        TextCodec codec;
        try (LoadedModel m = LoadedModel.open(Path.of(TestData.gguf()))) {
            codec = TextCodecs.forModel(m, null);
            InferenceEngine engine = EngineFactory.create(m.model(), codec, m.model().config().contextLength());
            for (int i = 0; i < 200; i++) {
                int[] ids = codec.encode(p.get(i), true);
                GenerationResult ref = engine.submit(new GenerationRequest(Long.toString(i), ids,
                        o.sampling().withSeed(RowSeeds.of(o.seed(), Long.toString(i))))).join();
                Row r = byId.get((long) i);
                assertEquals(ref.text(), r.getString(1), "row " + i);
                assertEquals(ref.finishReason().label(), r.getString(2), "row " + i);
                assertEquals(ref.promptTokens(), r.getInt(3));
                assertEquals(ref.completionTokens(), r.getInt(4));
                assertNull(r.get(8));
                assertEquals(s.fingerprint(), r.getString(10));
            }
        }
        long total = out.groupBy().sum("completion_tokens").first().getLong(0);
        assertEquals(total, s.completionTokens());
        assertTrue(s.completionTokens() > 200, "generated something");
    }
}
