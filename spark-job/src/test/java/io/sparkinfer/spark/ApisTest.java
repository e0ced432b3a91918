package io.sparkinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.spark.ml.LlmClassify;
import io.sparkinfer.spark.ml.LlmGenerate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ML Transformers and the SQL functions, over one local[2] session. */
class ApisTest {
    static SparkSession spark;
    static Path dir;

    @BeforeAll
    static void start() {
        dir = SparkTestSession.tempDir("sparkinfer-apis");
        spark = SparkTestSession.start("local[2]", "apis", dir.resolve("warehouse"));
        List<Row> rows = new ArrayList<>();
        List<String> p = TestData.prompts(6);
        for (int i = 0; i < p.size(); i++) {
            rows.add(RowFactory.create(i, p.get(i), i % 2 == 0 ? "The dog was happy." : "The dog was sad."));
        }
        rows.add(RowFactory.create(99, null, null));
        spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType).add("prompt", DataTypes.StringType)
                .add("review", DataTypes.StringType)).createOrReplaceTempView("stories");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void llmGenerateAppendsAStructColumnAndMatchesTheDataFrameApi() {
        Dataset<Row> in = spark.table("stories");
        LlmGenerate gen = new LlmGenerate().setModelPath(TestData.gguf()).setInputCol("prompt").setOutputCol("completion")
                .setIdCol("id").setMaxTokens(8);
        StructType schema = gen.transformSchema(in.schema());
        assertEquals(List.of("id", "prompt", "review", "completion"), List.of(schema.fieldNames()));
        assertEquals(ResultSchema.RESULT, schema.apply("completion").dataType());
        Dataset<Row> out = new Pipeline().setStages(new PipelineStage[] {gen}).fit(in).transform(in);
        List<Row> rows = out.orderBy("id").collectAsList();
        assertEquals(7, rows.size());
        Dataset<Row> viaApi = SparkInfer.generate(in, InferenceOptions.defaults().with("model", TestData.gguf())
                .with("text_col", "prompt").with("max_tokens", 8)).orderBy("id");
        List<Row> api = viaApi.collectAsList();
        for (int i = 0; i < 6; i++) {
            Row c = rows.get(i).getStruct(3);
            assertEquals(api.get(i).getString(1), c.getString(0), "row " + i);
            assertNotNull(c.getString(0));
            assertFalse(c.getString(0).isEmpty());
        }
        Row bad = rows.get(6).getStruct(3);
        assertEquals("error", bad.getString(1));
        assertTrue(bad.getString(7).contains("null"));
    }

    @Test
    void transformSchemaChecksTypes() {
        StructType s = new StructType().add("id", DataTypes.IntegerType).add("prompt", DataTypes.StringType);
        LlmGenerate gen = new LlmGenerate().setModelPath(TestData.gguf());
        assertThrows(IllegalArgumentException.class, () -> gen.copy(new org.apache.spark.ml.param.ParamMap())
                .transformSchema(s)); // default inputCol "text" is missing
        assertThrows(IllegalArgumentException.class, () -> new LlmGenerate().setInputCol("id").transformSchema(s));
        assertThrows(IllegalArgumentException.class, () -> new LlmGenerate().setInputCol("prompt").setOutputCol("id").transformSchema(s));
        assertEquals(4, new LlmGenerate().setInputCol("prompt").setMaxTokens(4).copy(new org.apache.spark.ml.param.ParamMap())
                .explainParams().lines().filter(l -> l.startsWith("maxTokens")).findFirst().map(l -> 4).orElse(0));
    }

    @Test
    void llmClassifyPicksALabelWithScores() {
        Dataset<Row> out = new LlmClassify().setModelPath(TestData.gguf()).setInputCol("review").setIdCol("id")
                .setLabels("happy", "sad").transform(spark.table("stories"));
        List<Row> rows = out.orderBy("id").collectAsList();
        for (int i = 0; i < 6; i++) {
            Row p = rows.get(i).getStruct(3);
            assertTrue(List.of("happy", "sad").contains(p.getString(0)), p.toString());
            assertEquals(2, p.getMap(6).size());
            assertNull(p.get(7));
        }
    }

    @Test
    void sqlFunctions() {
        SparkInfer.registerFunctions(spark, InferenceOptions.defaults().with("model", TestData.gguf()).with("max_tokens", 8));
        List<Row> rows = spark.sql("SELECT id, llm_generate(prompt) AS g, llm_summarize(prompt) AS s, "
                + "llm_classify(review, array('happy', 'sad')) AS c FROM stories ORDER BY id").collectAsList();
        assertEquals(7, rows.size());
        Dataset<Row> viaApi = SparkInfer.generate(spark.table("stories"), InferenceOptions.defaults().with("model", TestData.gguf())
                .with("text_col", "prompt").with("max_tokens", 8)).orderBy("id");
        List<Row> api = viaApi.collectAsList();
        for (int i = 0; i < 6; i++) {
            assertEquals(api.get(i).getString(1), rows.get(i).getString(1), "llm_generate row " + i);
            assertNotNull(rows.get(i).getString(2));
            assertTrue(List.of("happy", "sad").contains(rows.get(i).getString(3)));
        }
        assertNull(rows.get(6).get(1));
        assertNull(rows.get(6).get(3));
    }
}
