import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type Known, nextKnown, parseHookLine } from "../agents/claude-events.ts";
import { closeGap, readRegistry, registryDir } from "../agents/claude-registry.ts";
import { childOf } from "../proc/liveness.ts";
import type { Attachments } from "./attachments.ts";
import type { RunFiles } from "./run-files.ts";
import type { RunLifecycle } from "./run-lifecycle.ts";
import { isLive } from "./run-state.ts";

type Cursor = { offset: number; partial: string; known: Known };

/** A registry file caught mid-rewrite is read again this often, this many times (a rewrite takes microseconds). */
const REGISTRY_RETRY_MS = 20;
const REGISTRY_RETRIES = 10;

/** Lines arrive one event at a time; a burst (a subagent's) is read in chunks of this size. */
const CHUNK = 256 * 1024;

/**
 * Follows each live run's event file (`events/<run>.jsonl`): tmux's attach and detach lines are
 * passed to Attachments, Claude Code's hook lines become the run's activity (claude-events.ts).
 * It keeps where it stopped reading; a process that starts later reads the file from the start,
 * so a restart loses nothing and the CLI alone knows what the agent does.
 */
export class ActivityReader {
  private cursors = new Map<string, Cursor>();
  private reading = new Map<string, Promise<void>>();
  private agents = new Map<string, { pid: number; start: string | null }>();

  constructor(
    private readonly files: RunFiles,
    private readonly runs: RunLifecycle,
    private readonly attachments: Attachments,
    /** Claude Code's session registry folder (agents/claude-registry.ts). */
    readonly registry: string = registryDir(),
  ) {}

  /**
   * The run's agent process: named by a headless launcher, else its launcher's child (an
   * interactive agent runs in the pane's foreground). Kept once found.
   */
  private agentOf(runId: string): { pid: number; start: string | null } | null {
    const known = this.agents.get(runId);
    if (known) return known;
    const start = this.files.readStart(runId);
    if (!start) return null;
    const agent = start.agentPid ? { pid: start.agentPid, start: start.agentStart ?? null } : childOf(start.pid);
    if (agent) this.agents.set(runId, agent);
    return agent;
  }

  /** Reads what is new in one run's file; reads of one run never overlap. */
  read(runId: string): Promise<void> {
    const before = this.reading.get(runId) ?? Promise.resolve();
    const next = before
      .then(() => this.readNow(runId))
      .finally(() => {
        if (this.reading.get(runId) === next) this.reading.delete(runId);
      });
    this.reading.set(runId, next);
    return next;
  }

  /**
   * Claude Code's session registry changed for the agent with this pid: where the hooks still
   * show it waiting for the user, the pane may have answered (agents/claude-registry.ts).
   */
  registryChanged(pid: number, tries = 0): Promise<void> {
    const run = this.runs.latestAll().find((r) => isLive(r.phase) && this.agentOf(r.id)?.pid === pid);
    if (!run) return Promise.resolve();
    return this.read(run.id).then(async () => {
      const cursor = this.cursors.get(run.id);
      const agent = this.agentOf(run.id);
      if (!cursor || !agent) return;
      const entry = readRegistry(this.registry, agent.pid, agent.start);
      // Caught mid-rewrite, and its last change notice may be folded into this one: look again.
      if (entry === "partial") {
        if (tries < REGISTRY_RETRIES) setTimeout(() => void this.registryChanged(pid, tries + 1).catch(() => undefined), REGISTRY_RETRY_MS);
        return;
      }
      const known = entry ? closeGap(cursor.known, entry) : cursor.known;
      if (known === cursor.known) return;
      cursor.known = known;
      await this.runs.observeActivity(run.id, known);
    });
  }

  /** Every live run's file, once (at start-up). */
  async readAll(): Promise<void> {
    for (const run of this.runs.latestAll()) if (isLive(run.phase)) await this.read(run.id).catch(() => undefined);
  }

  private async readNow(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (!run || !isLive(run.phase)) {
      this.cursors.delete(runId);
      this.agents.delete(runId);
      return;
    }
    const cursor = this.cursors.get(runId) ?? {
      offset: 0,
      partial: "",
      known: { activity: run.activity, pending: run.pending, sessionId: run.sessionId },
    };
    this.cursors.set(runId, cursor);
    const text = this.readFrom(this.files.eventsOf(runId), cursor);
    if (text === null) return;
    const lines = (cursor.partial + text).split("\n");
    cursor.partial = lines.pop() ?? "";
    let tmux = false;
    let known = cursor.known;
    for (const line of lines) {
      if (line.startsWith('{"tmux"')) tmux = true;
      const event = parseHookLine(line);
      if (event) known = nextKnown(known, event, line);
    }
    if (tmux) await this.attachments.refresh(runId);
    if (known !== cursor.known) {
      cursor.known = known;
      await this.runs.observeActivity(runId, known);
    }
  }

  private readFrom(file: string, cursor: Cursor): string | null {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch {
      return null;
    }
    try {
      const size = fstatSync(fd).size;
      const chunks: Buffer[] = [];
      while (cursor.offset < size) {
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - cursor.offset));
        const n = readSync(fd, buffer, 0, buffer.length, cursor.offset);
        if (n <= 0) break;
        chunks.push(buffer.subarray(0, n));
        cursor.offset += n;
      }
      return Buffer.concat(chunks).toString("utf8");
    } finally {
      closeSync(fd);
    }
  }
}
