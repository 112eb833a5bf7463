import { type FSWatcher, watch } from "node:fs";

/**
 * Bun's fs.watch (1.4.5, Linux inotify) drops a change to a file that lands while it delivers the
 * previous change to that same file: measured, a line appended in the callback (or in a
 * setTimeout(0) after it) is never reported, while one appended 1 ms later is, and other files are
 * not affected (watch-settled.test.ts shows it). An event file that gets two hook lines in a row,
 * or a registry file rewritten twice, would then look unchanged until its next write.
 * So each file's last notice is followed by one more, SETTLE_MS later: whatever landed in the
 * blind spot is read then. Listeners must treat a call as "look again" (they all read from where
 * they stopped). The blind spot is shorter than 1 ms; 10 ms leaves room on a loaded machine, and
 * is what a lost hook line costs at most (`npm run bench`: hook → /events p99).
 */
export const SETTLE_MS = 10;

export type SettledWatcher = Pick<FSWatcher, "close" | "on">;

export function watchSettled(
  path: string,
  options: { recursive?: boolean },
  listener: (event: string, name: string | null) => void,
): SettledWatcher {
  const trailing = new Map<string, ReturnType<typeof setTimeout>>();
  const watcher = watch(path, options, (event, name) => {
    const file = name === null ? null : String(name);
    listener(event, file);
    const key = file ?? "";
    clearTimeout(trailing.get(key));
    const timer = setTimeout(() => {
      trailing.delete(key);
      listener("change", file);
    }, SETTLE_MS);
    timer.unref?.();
    trailing.set(key, timer);
  });
  const close = watcher.close.bind(watcher);
  watcher.close = () => {
    for (const timer of trailing.values()) clearTimeout(timer);
    trailing.clear();
    close();
  };
  return watcher;
}
