import { closeSync, constants, openSync } from "node:fs";
import { join } from "node:path";
import type { AgentDefinition } from "../agents/agent.ts";
import type { Config } from "../config.ts";
import { DispatchError } from "../errors.ts";
import { writePrivateFile } from "../fs/private-file.ts";
import { checkBranchName } from "../git/base.ts";
import { ensureWorktree, type Worktree } from "../git/worktree.ts";
import type { Mode } from "../modes/mode.ts";
import { renderPrompt } from "../modes/prompt.ts";
import { startTime } from "../proc/liveness.ts";
import type { Task } from "../tasks/task.ts";
import { EVENTS_VAR, type Tmux } from "../tmux/tmux.ts";
import { agentArgv, needsPromptFile, type ParsedExtras, saveToPath } from "./agent-argv.ts";
import { spawnHeadless } from "./headless-job.ts";
import { launcherArgv, launchScript } from "./launch-script.ts";
import type { LaunchSpec } from "./launch-spec.ts";
import type { RunFiles } from "./run-files.ts";
import type { RunRecord } from "./run-record.ts";
import type { Observation } from "./run-state.ts";

export type Launched = Extract<Observation, { kind: "launched" }>;

/**
 * What to do about a tmux session of our name that already exists, given the run it names and
 * its event file (ours when it lies in our state folder): replace it (its run ended), adopt it.
 */
export type ExistingSession = (owner: SessionOwner) => "replace" | "adopt" | "conflict";

/** What a session says of its run: its id, its event file, and (sessions of Dispatch 0.1) its state folder. */
export type SessionOwner = { runId: string | null; events: string | null; stateDir: string | null };

/** A live run of ours was found in the session a dispatch wanted to create: it is adopted, never killed. */
export class FoundLiveRun extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} already lives in this session`);
  }
}

export function branchFor(config: Config, taskId: string): string {
  return config.branchTemplate.replaceAll("{id}", taskId);
}

/** The branch a task's work starts from and lands on: its own `base`, else the config's, else the main worktree's branch. */
export function baseFor(config: Config, task: Task): string | null {
  const own = task.frontMatter.base;
  if (own !== undefined) {
    if (typeof own !== "string") throw new DispatchError("invalid_base", `${task.path}: base must be a branch name`);
    return checkBranchName(own, `${task.path}: base`);
  }
  return config.base === null ? null : checkBranchName(config.base, "dispatch.config.toml: base");
}

export function worktreeFor(config: Config, taskId: string): string {
  return join(config.worktreesDir, taskId);
}

/** Resolves the agent's executable once per launch, so a missing `claude` is a clear error up front. */
export function resolveAgent(command: string[], definition: Pick<AgentDefinition, "name" | "binEnv" | "install">): string[] {
  const [program, ...rest] = command;
  if (!program) throw new DispatchError("config", "agent.command is empty");
  const found = program.includes("/") ? program : Bun.which(program);
  if (!found) {
    throw new DispatchError("agent_not_found", `${program} not found on PATH: install ${definition.install} or set ${definition.binEnv}`);
  }
  return [found, ...rest];
}

/**
 * The agent to start (agents/), with the program trust chose (trust/repo-trust.ts). `inWorktree`
 * checks the task's worktree, where it runs, and says whether the repository's own agent
 * configuration must be switched off (for Claude Code: `--setting-sources user --strict-mcp-config`).
 */
export type LaunchAgent = {
  definition: AgentDefinition;
  command: string[];
  inWorktree: (worktree: string) => { restrict: boolean };
  /** Makes the task's worktree ready before the agent starts (runs/worktree-prep.ts); throws to start nothing. */
  prepare?: (worktree: Worktree) => Promise<unknown>;
};

/** Worktree → prompt → launch spec → tmux session or detached job. */
export async function launchRun(options: {
  config: Config;
  files: RunFiles;
  tmux: Tmux;
  run: RunRecord;
  mode: Mode;
  task: Task;
  extras: ParsedExtras;
  agent: LaunchAgent;
  existingSession: ExistingSession;
  /** Called when a headless launcher this process started has exited. */
  onJobExit: () => void;
}): Promise<Launched> {
  const { config, files, run, mode, task, extras } = options;
  const agent = resolveAgent(options.agent.command, options.agent.definition);
  const definition = options.agent.definition;
  const branch = branchFor(config, task.id);
  const worktree = await ensureWorktree(config.repo, worktreeFor(config, task.id), branch, {
    lockFile: join(config.stateDir, "locks", `worktree-${task.id}.lock`),
    base: baseFor(config, task),
  });
  await options.agent.prepare?.(worktree);
  // A resume continues a session that holds the task already: no new task prompt.
  const prompt = run.resumedFrom ? null : renderPrompt(mode.prompt, { task, worktree: worktree.path, branch, mode: mode.name });
  let promptFile: string | null = null;
  if (prompt !== null && needsPromptFile(mode, prompt)) {
    promptFile = files.prompt(run.id);
    writePrivateFile(promptFile, prompt);
  }
  const { restrict } = options.agent.inWorktree(worktree.path);
  // The agent's own setup for this run: Claude Code's session id, name and hook settings.
  const prepared = definition.prepare({
    runId: run.id,
    taskId: task.id,
    sessionId: run.sessionId ?? "",
    resume: run.resumedFrom !== null,
    settingsFile: files.settings(run.id),
    decisionsDir: files.decisions,
  });
  for (const file of prepared.files) writePrivateFile(file.path, file.content);
  const { argv, stdin } = agentArgv(
    [...agent, ...(restrict ? definition.withoutProject : []), ...prepared.args],
    mode,
    extras.agentExtras,
    prompt,
    promptFile,
  );
  // The session's own variables: known-safe values only (a value ending in `;` would end tmux's
  // command), so the state folder (the user's path) goes to the agent through the spec instead.
  const env = {
    DISPATCH_RUN_ID: run.id,
    DISPATCH_TASK_ID: task.id,
    DISPATCH_MODE: mode.name,
    [EVENTS_VAR]: files.eventsOf(run.id),
  };
  const spec: LaunchSpec = {
    runId: run.id,
    mode: mode.name,
    taskId: task.id,
    session: run.session,
    headless: run.headless,
    origin: run.origin,
    extras: run.extras,
    claimedAt: run.startedAt,
    socket: run.socket,
    branch,
    argv,
    cwd: worktree.path,
    env: { ...env, ...prepared.env, DISPATCH_STATE_DIR: config.stateDir, PATH: process.env.PATH ?? "/usr/bin:/bin" },
    stdin,
    logFile: run.logPath,
    pidFile: files.pid(run.id),
    exitFile: files.exit(run.id),
    exitFallback: files.fallbackExit(run.id),
    saveTo: saveToPath(worktree.path, extras.saveTo),
    timeoutSeconds: mode.interactive ? null : (mode.timeout ?? null),
  };
  // The log exists from the start, so a reader can open it before the agent prints anything.
  closeSync(openSync(spec.logFile, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
  const specPath = files.spec(run.id);
  writePrivateFile(specPath, JSON.stringify(spec));
  // A headless agent reads its prompt from a file (empty for a resume): the launcher is a shell.
  const input = mode.interactive ? null : files.input(run.id);
  if (input !== null) writePrivateFile(input, spec.stdin ?? "");
  writePrivateFile(files.launchScript(run.id), launchScript(spec, input));
  const launched = (where: Launched["where"]): Launched => ({ kind: "launched", where, worktree: worktree.path, branch });

  if (!mode.interactive) {
    const pid = spawnHeadless(specPath, worktree.path, spec.logFile, options.onJobExit);
    return launched({ pid, pidStart: startTime(pid), tmuxId: null, socket: null });
  }
  const tmux = options.tmux.at(run.socket);
  const create = () =>
    tmux.newSession({
      name: run.session,
      cwd: worktree.path,
      command: launcherArgv(specPath),
      logPath: spec.logFile,
      env,
    });
  // Whose session holds the name: its variables read in one call, so a session that ends meanwhile
  // is read whole or not at all.
  const ownerOf = async (): Promise<SessionOwner | null> => {
    const vars = await tmux.sessionVars(`=${run.session}`);
    if (!vars) return null;
    return {
      runId: vars.get("DISPATCH_RUN_ID") ?? null,
      events: vars.get(EVENTS_VAR) ?? null,
      stateDir: vars.get("DISPATCH_STATE_DIR") ?? null,
    };
  };
  let created = await create();
  let owner = created === null ? await ownerOf() : null;
  // The name was taken by a session that is gone by the time we ask whose it is (a run's end
  // removes its session at any moment: a Resume right after /exit met it): the name is free again.
  for (let tries = 0; created === null && tries < 3 && (owner === null || !(await tmux.hasSession(run.session))); tries++) {
    created = await create();
    owner = created === null ? await ownerOf() : null;
  }
  if (created === null && owner) {
    const verdict = options.existingSession(owner);
    if (verdict === "adopt" && owner.runId) throw new FoundLiveRun(owner.runId);
    if (verdict !== "replace") {
      throw new DispatchError(
        "session_conflict",
        `tmux session ${run.session} already exists and is not a run of this repository: end it (tmux kill-session -t =${run.session}) or rename it`,
      );
    }
    // A leftover of ours whose run is over (its exit is on record): replaced. Killed as that run's
    // session only, so a session someone made meanwhile under the name is left alone.
    await tmux.killRunSession({ name: run.session, id: null, runId: owner.runId as string });
    created = await create();
    if (created === null) throw new DispatchError("session_conflict", `tmux session ${run.session} was created by someone else meanwhile`);
  }
  if (created === null) {
    throw new DispatchError(
      "session_conflict",
      `tmux session ${run.session} kept coming back while it was being replaced: end it (tmux kill-session -t =${run.session})`,
    );
  }
  return launched({ pid: created.pid, pidStart: startTime(created.pid), tmuxId: created.id, socket: created.socket });
}
