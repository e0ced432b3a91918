package io.sparkinfer.model;

/** A model file that is well-formed but describes something the engine cannot run. */
public final class UnsupportedModelException extends RuntimeException {
    public UnsupportedModelException(String message) {
        super(message);
    }
}
