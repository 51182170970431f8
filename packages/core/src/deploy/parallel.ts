/**
 * How many machines a deploy works on at once unless `--parallel` says
 * otherwise. Working on more at once only helps while deploys wait on the
 * network; the engine runs in one thread, so past the point where that
 * thread is busy, more at once adds memory (an SSH connection each) and no
 * speed. Chosen from bench/peers (figures in bench/README.md, "Parallel").
 */
export const DEFAULT_PARALLEL = 10
