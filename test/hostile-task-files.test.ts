import { describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { taskFile } from "./helpers/repo.ts";
import { type ServerHandle, World, waitFor } from "./helpers/world.ts";

type Tasks = { tasks: Array<{ id: string }>; problems: Array<{ file: string; reason: string }> };
const tasks = async (server: ServerHandle): Promise<Tasks> => (await server.api("/tasks")).json();

describe("hostile files in tasks/ while serving", () => {
  test("a FIFO, a link to /dev/zero, links to folders and an oversized file are problems, never read; every request still answers", async () => {
    await using world = new World();
    const server = await world.server();
    const dir = join(world.repo.repo, "tasks");
    Bun.spawnSync(["mkfifo", join(dir, "p.md")]);
    symlinkSync("/dev/zero", join(dir, "z.md"));
    symlinkSync("/", join(dir, "root"));
    symlinkSync(".", join(dir, "loop"));
    symlinkSync("/etc/hostname", join(dir, "outside.md"));
    writeFileSync(join(dir, "big.md"), `${taskFile("BIG", "Too big")}${"x".repeat(1024 * 1024)}`);
    writeFileSync(join(dir, "TASK-99.md"), taskFile("TASK-99", "Still read"));

    const listed = await waitFor("the problems", async () => {
      const now = await tasks(server);
      return now.tasks.some((t) => t.id === "TASK-99") && now.problems.length >= 7 ? now : null;
    });
    const reasons = Object.fromEntries(listed.problems.map((p) => [p.file, p.reason]));
    expect(reasons["tasks/p.md"]).toContain("not a regular file");
    expect(reasons["tasks/z.md"]).toContain("a symbolic link");
    expect(reasons["tasks/outside.md"]).toContain("a symbolic link");
    expect(reasons["tasks/root"]).toContain("a symbolic link to a folder");
    expect(reasons["tasks/loop"]).toContain("a symbolic link to a folder");
    expect(reasons["tasks/big.md"]).toContain("a task file is at most 1 MiB");
    // Nothing from the whole disk or the loop, and no duplicate ids.
    expect(listed.tasks.map((t) => t.id).sort()).toEqual(["TASK-20250516T024757", "TASK-42", "TASK-7", "TASK-99"]);
    expect(listed.problems.filter((p) => p.reason.includes("duplicate"))).toEqual([]);
    expect((await fetch(`${server.url}/health`)).ok).toBe(true);
    expect((await server.api("/status/code-review/TASK-99")).status).toBe(200);

    // The same rules when a server starts with those files already there.
    await server.stop();
    const again = await world.server();
    const atStart = await tasks(again);
    expect(atStart.tasks.map((t) => t.id).sort()).toEqual(listed.tasks.map((t) => t.id).sort());
    expect(atStart.problems.map((p) => p.file).sort()).toEqual(listed.problems.map((p) => p.file).sort());
  });

  test("the tasks folder replaced, moved away and brought back: the board follows each time", async () => {
    await using world = new World();
    const server = await world.server();
    const dir = join(world.repo.repo, "tasks");
    const saved = join(world.repo.root, "saved-task.md");
    writeFileSync(saved, taskFile("TASK-NEW", "Brought in"));

    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    cpSync(saved, join(dir, "new.md"));
    await waitFor("the new folder's task", async () => (await tasks(server)).tasks.map((t) => t.id).join() === "TASK-NEW");
    expect((await server.api("/dispatch/code-review/TASK-NEW", { method: "POST" })).status).toBe(201);

    renameSync(dir, join(world.repo.root, "away"));
    await waitFor("the tasks to go", async () => (await tasks(server)).tasks.length === 0);
    expect((await tasks(server)).problems.map((p) => p.reason)).toContain("the tasks folder does not exist");

    renameSync(join(world.repo.root, "away"), dir);
    writeFileSync(join(dir, "later.md"), taskFile("TASK-LATER", "Written after it came back"));
    await waitFor("the folder back, and followed", async () => {
      const ids = (await tasks(server)).tasks.map((t) => t.id);
      return ids.includes("TASK-NEW") && ids.includes("TASK-LATER");
    });
    await server.ended("code-review", "TASK-NEW");
  });
});
