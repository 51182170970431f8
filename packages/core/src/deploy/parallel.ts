/**
 * How many machines a deploy works on at once unless `--parallel` says
 * otherwise. More at once only helps while deploys wait on the network.
 * Measured with bench/peers (bench/README.md, "Parallel"): at 10 hosts,
 * all at once took 0.26-0.58 of one at a time; at 30 hosts, 16 at once
 * took 0.91-1.00 of 8 and 32 took 0.67-0.92, and peak memory was the same
 * (184-192 MB) for all three. Past 10 the gain is small, and each machine
 * behind a jump host opens its own login there: more than 10 at once meets
 * OpenSSH's default MaxStartups (10:30:100), which refuses new logins at
 * random. So 10; `--parallel` raises it for directly reachable fleets.
 */
export const DEFAULT_PARALLEL = 10
