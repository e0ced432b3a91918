package io.sparkinfer.spark;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Streams a partition through the engine: keeps up to {@code window} rows submitted (so a
 * batching engine has work to batch) and hands results back in input order. Never holds more
 * than {@code window} rows, whatever the partition's size.
 */
final class WindowedIterator<I, O> implements Iterator<O> {
    private final Iterator<I> input;
    private final int window;
    private final Function<I, CompletableFuture<O>> submit;
    private final ArrayDeque<CompletableFuture<O>> inFlight;

    WindowedIterator(Iterator<I> input, int window, Function<I, CompletableFuture<O>> submit) {
        this.input = input;
        this.window = window;
        this.submit = submit;
        this.inFlight = new ArrayDeque<>(window);
    }

    private void fill() {
        while (inFlight.size() < window && input.hasNext()) {
            inFlight.add(submit.apply(input.next()));
        }
    }

    @Override
    public boolean hasNext() {
        fill();
        return !inFlight.isEmpty();
    }

    @Override
    public O next() {
        fill();
        CompletableFuture<O> head = inFlight.poll();
        if (head == null) {
            throw new NoSuchElementException();
        }
        return head.join();
    }
}
