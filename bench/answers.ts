/**
 * GET /status and GET /tasks against a bare Bun.serve answering the same bytes: Dispatch's answer
 * to each path is fetched once, handed to bench/bare-server.ts (a child process, like Dispatch's
 * server), and both are timed by the same client loop, request by request in turn. What is left
 * is Dispatch's own cost per request: Host, Origin and token checks, routing, the answer cache.
 */
import { type BenchWorld, bareServer, type ServerChild } from "./bench-world.ts";
import { type Figure, figure, spread } from "./stats.ts";

async function body(res: Response, what: string): Promise<ArrayBuffer> {
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.arrayBuffer();
}

/** `paths` on both servers in turn, `n` rounds after `warm` untimed ones; each request timed to its last byte. */
async function alternate(server: ServerChild, bareUrl: string, paths: string[], n: number, warm: number) {
  const auth = { headers: { authorization: `Bearer ${server.token}` } };
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = -warm; i < n; i++) {
    const path = paths[(i + warm) % paths.length] as string;
    let t = performance.now();
    await body(await fetch(`${server.url}${path}`, auth), path);
    if (i >= 0) ours.push(performance.now() - t);
    t = performance.now();
    await body(await fetch(`${bareUrl}${path}`), `bare ${path}`);
    if (i >= 0) base.push(performance.now() - t);
  }
  return { ours: spread(ours), base: spread(base) };
}

export async function answers(
  world: BenchWorld,
  server: ServerChild,
  live: Array<{ mode: string; task: string }>,
  counts: { status: number; tasks: number },
): Promise<Figure[]> {
  const statusPaths = live.map(({ mode, task }) => `/status/${mode}/${task}`);
  const bodies: Record<string, string> = {};
  for (const path of [...statusPaths, "/tasks"]) bodies[path] = new TextDecoder().decode(await body(await server.api(path), path));
  const tasks = (JSON.parse(bodies["/tasks"] as string) as { tasks: unknown[] }).tasks.length;
  const running = statusPaths.filter((p) => JSON.parse(bodies[p] as string).state === "running").length;
  const bare = await bareServer(world, bodies);
  try {
    const status = await alternate(server, bare.url, statusPaths, counts.status, 200);
    const list = await alternate(server, bare.url, ["/tasks"], counts.tasks, 10);
    const kb = Buffer.byteLength(bodies["/tasks"] as string) / 1024;
    return [
      figure({
        name: `GET /status/{mode}/{id}, ${running} live runs (each in turn)`,
        unit: "ms",
        ours: status.ours,
        baseline: { name: "bare Bun.serve (child process) answering the same bytes per path", measured: status.base },
        goal: [{ on: "ratio", max: 1.5 }],
      }),
      figure({
        name: `GET /tasks, ${tasks} tasks (${kb.toFixed(0)} KB)`,
        unit: "ms",
        ours: list.ours,
        baseline: { name: "bare Bun.serve (child process) answering the same bytes", measured: list.base },
        goal: [{ on: "ratio", max: 3 }],
      }),
    ];
  } finally {
    await bare.stop();
  }
}
