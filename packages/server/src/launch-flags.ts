/**
 * The V8 flags the server is launched with (NODE_OPTIONS of the images, docker/coffer/Dockerfile and
 * packages/server/Dockerfile, and the load benchmark, which runs the server the way an operator
 * does; test/launch-flags.test.ts keeps the three in step).
 *
 * Why: outside a container with a memory limit, V8 sizes the young generation from the machine's
 * memory, and on a large host it grows its semi-spaces to tens of MiB each under request load:
 * the server's RSS went from 128 MiB idle to ~300 MiB after a minute of GETs, with a live heap of
 * ~30 MB. A request allocates short-lived objects only, so a small young generation costs a few
 * more scavenges (cheap, they copy only what survives) and no throughput we could measure (see the
 * README's "Memory"). The old generation is left to V8 and the cgroup limit: capping it would turn
 * a large in-memory dataset into an out-of-memory crash, and the operator knows their data.
 * `--optimize-for-size` was measured too and rejected: 120 MiB but half the throughput.
 * The images set them as NODE_OPTIONS, so an operator replaces them by setting NODE_OPTIONS.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
