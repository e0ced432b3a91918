package io.sparkinfer.tokenizer;

/**
 * One pre-tokenizer stage: splits each segment of a codepoint array further. Segments are given
 * and returned as lengths in codepoints, consecutive from 0, as llama.cpp's
 * {@code unicode_regex_split} does; a stage never joins segments.
 */
interface Splitter {
    IntList split(int[] cps, IntList segments);
}
