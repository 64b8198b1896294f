package io.pipeline.bench;

/** The end of every contender's chain: receives each mapped record on the consumer's thread. */
interface Terminal {
    void accept(Priced priced);
}
