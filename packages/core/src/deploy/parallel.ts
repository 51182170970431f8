/**
 * How many machines a deploy works on at once unless `--parallel` says
 * otherwise. More at once only helps while deploys wait on the network.
 * Measured with bench/peers (bench/README.md, "Parallel"): at 10 hosts,
 * all at once took 0.26-0.58 of one at a time; at 30 hosts, 16 at once
 * took 0.91-1.00 of 8 and 32 took 0.67-0.92, and peak memory was the same
 * for all three. So 32. Logins to any one sshd (a jump host every machine
 * goes through, several machines on one host) are held to a few at once
 * whatever this is (ssh/login-slots.ts), below OpenSSH's MaxStartups.
 */
export const DEFAULT_PARALLEL = 32
