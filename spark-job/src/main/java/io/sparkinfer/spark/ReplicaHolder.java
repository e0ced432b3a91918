package io.sparkinfer.spark;

import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.model.LoadedModel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;

/**
 * One model replica per executor JVM and model: created lazily by the first task that needs it
 * (double-checked, keyed by {@link ModelHandle#key()}), then shared by every task thread of the
 * executor through the engine. Weights are memory-mapped, never copied.
 *
 * <p>Threads: the engine's pool is sized by the system property {@code sparkinfer.threads}, read
 * once when the engine first runs. When it is not set, the first replica sets it from the Spark
 * conf: {@code spark.sparkinfer.threads} when given, else the executor's cores
 * ({@code spark.executor.cores}, the C of {@code local-cluster[N,C,M]}, or the N of
 * {@code local[N]}), so that the engine uses the cores Spark gave the executor and no more.
 * (Spark refuses {@code -Dsparkinfer.threads} in {@code spark.executor.extraJavaOptions}: any
 * {@code -Dspark} there is taken for a Spark option; use {@code --conf spark.sparkinfer.threads=N}.)
 */
public final class ReplicaHolder {
    private static final ConcurrentHashMap<String, Replica> REPLICAS = new ConcurrentHashMap<>();
    private static final Object LOCK = new Object();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ReplicaHolder() {
    }

    public static Replica get(ModelHandle handle) {
        Replica r = REPLICAS.get(handle.key());
        if (r == null) {
            synchronized (LOCK) {
                r = REPLICAS.get(handle.key());
                if (r == null) {
                    r = load(handle);
                    REPLICAS.put(handle.key(), r);
                }
            }
        }
        return r;
    }

    /** How many replicas this JVM has loaded (tests check it stays at one per model). */
    public static int loads() {
        return LOADS.get();
    }

    /** Closes and forgets every replica of this JVM (tests, and the driver at the end of a local job). */
    public static void closeAll() {
        synchronized (LOCK) {
            REPLICAS.values().forEach(Replica::close);
            REPLICAS.clear();
        }
    }

    private static Replica load(ModelHandle handle) {
        sizeEngineThreads();
        passWeightsCopySetting();
        LoadedModel model = LoadedModel.open(handle.localModel());
        try {
            TextCodec codec = TextCodecs.forModel(model, handle.localTokenizer());
            int ctx = model.model().config().contextLength();
            int maxSeq = handle.maxSeqLen() > 0 ? Math.min(handle.maxSeqLen(), ctx) : ctx;
            InferenceEngine engine = EngineFactory.create(model.model(), codec, maxSeq, handle.kvBudgetMb() * (1L << 20));
            LOADS.incrementAndGet();
            return new Replica(model, engine, codec, maxSeq);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    static void sizeEngineThreads() {
        if (System.getProperty("sparkinfer.threads") != null) {
            return;
        }
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return;
        }
        int cores = env.conf().getInt("spark.sparkinfer.threads", 0);
        if (cores <= 0) {
            cores = executorCores(env.conf().get("spark.master", ""), env.conf().getInt("spark.executor.cores", 0));
        }
        if (cores > 0) {
            System.setProperty("sparkinfer.threads", Integer.toString(cores));
        }
    }

    /**
     * {@code spark.sparkinfer.weights.copy} (Spark conf) to the engine's system property
     * {@code sparkinfer.weights.copy}, unless that is set: whether the kernels copy the weights
     * onto huge pages at load (default) or keep them zero-copy in the file mapping.
     */
    static void passWeightsCopySetting() {
        SparkEnv env = SparkEnv.get();
        if (System.getProperty("sparkinfer.weights.copy") != null || env == null) {
            return;
        }
        String copy = env.conf().get("spark.sparkinfer.weights.copy", null);
        if (copy != null) {
            System.setProperty("sparkinfer.weights.copy", Boolean.toString(Boolean.parseBoolean(copy.trim())));
        }
    }

    /** Cores of one executor: {@code spark.executor.cores}, else N of {@code local[N]} / {@code local[N,F]}, else all. */
    static int executorCores(String master, int executorCores) {
        if (master.startsWith("local[")) {
            String n = master.substring(6, master.indexOf(']')).split(",")[0].trim();
            return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
        }
        if (master.startsWith("local-cluster[")) {
            return Integer.parseInt(master.substring(14, master.indexOf(']')).split(",")[1].trim());
        }
        if (master.equals("local")) {
            return 1;
        }
        return executorCores;
    }
}
