package io.sparkinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Null, empty and over-long prompts become error rows (or are truncated, by policy); the job goes on. */
class BadRowsTest {
    static SparkSession spark;
    static Path dir;

    @BeforeAll
    static void start() {
        dir = SparkTestSession.tempDir("sparkinfer-bad");
        spark = SparkTestSession.start("local[2]", "bad-rows", dir.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Dataset<Row> input() {
        String longText = "Once upon a time there was a very long story. ".repeat(60);
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(1, "Once upon a time, Lily found a ball."));
        rows.add(RowFactory.create(2, null));
        rows.add(RowFactory.create(3, ""));
        rows.add(RowFactory.create(4, longText));
        rows.add(RowFactory.create(null, "Tom went to the park."));
        StructType schema = new StructType().add("id", DataTypes.IntegerType, true).add("text", DataTypes.StringType, true);
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    static Map<Object, Row> run(String policy) {
        InferenceOptions o = InferenceOptions.defaults().with("model", TestData.gguf()).with("max_tokens", 8)
                .with("max_prompt_tokens", 100).with("overflow", policy);
        Map<Object, Row> out = new HashMap<>();
        List<Row> rows = SparkInfer.generate(input(), o).collectAsList();
        assertEquals(5, rows.size(), "one output row per input row");
        for (Row r : rows) {
            out.put(r.get(0), r);
        }
        return out;
    }

    @Test
    void badRowsAreErrorRowsUnderTheErrorPolicy() {
        Map<Object, Row> out = run("error");
        assertNull(out.get(1).getAs("error"));
        assertNotNull(out.get(1).getAs("output"));
        for (int id : new int[] {2, 3, 4}) {
            Row r = out.get(id);
            assertEquals("error", r.getAs("finish_reason"), "row " + id);
            assertNull(r.getAs("output"));
            assertEquals(0, (int) r.getAs("completion_tokens"));
        }
        assertTrue(out.get(2).<String>getAs("error").contains("null"), out.get(2).<String>getAs("error"));
        assertTrue(out.get(3).<String>getAs("error").contains("empty"), out.get(3).<String>getAs("error"));
        assertTrue(out.get(4).<String>getAs("error").contains("budget of 100"), out.get(4).<String>getAs("error"));
        assertEquals("error", out.get(null).getAs("finish_reason"));
        assertTrue(out.get(null).<String>getAs("error").contains("id is null"));
    }

    @Test
    void overLongPromptsAreTruncatedUnderTruncatePolicies() {
        for (String policy : new String[] {"truncate_start", "truncate_middle"}) {
            Row r = run(policy).get(4);
            assertNull(r.getAs("error"), policy);
            assertEquals(100, (int) r.getAs("prompt_tokens"), policy);
            assertTrue(List.of("stop", "length").contains(r.<String>getAs("finish_reason")));
        }
    }

    @Test
    void overflowPolicyKeepsBosAndTheRightEnds() {
        int[] ids = {1, 10, 11, 12, 13, 14, 15, 16};
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 14, 15, 16}, OverflowPolicy.TRUNCATE_START.apply(ids, 4, true));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 10, 15, 16}, OverflowPolicy.TRUNCATE_MIDDLE.apply(ids, 4, true));
        assertNull(OverflowPolicy.ERROR.apply(ids, 4, true));
        org.junit.jupiter.api.Assertions.assertSame(ids, OverflowPolicy.ERROR.apply(ids, 8, true));
    }
}
