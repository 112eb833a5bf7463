import { describe, expect, test } from "bun:test";
import { escapeMarkup, NotifySend, notifySendArgv, parseNotifySendOutput, type Run } from "./notify-send.ts";

const ACTIONS = [
  { key: "default", label: "Show the terminal" },
  { key: "allow", label: "Allow" },
];

describe("notify-send", () => {
  test("argv: options first, then `--`, so a title or body is never read as an option; the body's markup is escaped", () => {
    expect(notifySendArgv({ title: "--help", body: "rm -rf <build> & more", actions: ACTIONS })).toEqual([
      "notify-send",
      "--app-name=Dispatch",
      "--print-id",
      "--wait",
      "--action=default=Show the terminal",
      "--action=allow=Allow",
      "--",
      "--help",
      "rm -rf &lt;build&gt; &amp; more",
    ]);
    // Without actions nothing is waited for.
    expect(notifySendArgv({ title: "t", body: "b", actions: [] })).toEqual([
      "notify-send",
      "--app-name=Dispatch",
      "--print-id",
      "--",
      "t",
      "b",
    ]);
    expect(escapeMarkup("<b>&amp;</b>")).toBe("&lt;b&gt;&amp;amp;&lt;/b&gt;");
  });

  test("an action key is a plain word: `=` or an option in it is refused", () => {
    expect(() => notifySendArgv({ title: "t", body: "b", actions: [{ key: "a=b", label: "x" }] })).toThrow(/plain word/);
    expect(() => notifySendArgv({ title: "t", body: "b", actions: [{ key: "--x", label: "x" }] })).toThrow(/plain word/);
  });

  test("output: the id, then the invoked action; an unknown action or none is null", () => {
    expect(parseNotifySendOutput("7\nallow\n", ACTIONS)).toEqual({ id: 7, action: "allow" });
    expect(parseNotifySendOutput("7\n", ACTIONS)).toEqual({ id: 7, action: null });
    expect(parseNotifySendOutput("7\nrm\n", ACTIONS)).toEqual({ id: 7, action: null });
    // No server on the bus: warnings, no id.
    expect(parseNotifySendOutput("", ACTIONS)).toEqual({ id: null, action: null });
  });

  test("show: shown once a server gave an id, with the action invoked; none in time, or no binary, shows nothing; an abort acts on nothing", async () => {
    const printing =
      (...lines: string[]): Run =>
      () => ({
        lines: (async function* () {
          yield* lines;
        })(),
        kill: () => {},
      });
    const notice = { title: "TASK-42: wants to run Bash", body: "touch x", actions: ACTIONS };
    expect(await new NotifySend(printing("3", "default"), true).show(notice)).toEqual({ shown: true, action: "default" });
    expect(await new NotifySend(printing("3"), true).show(notice)).toEqual({ shown: true, action: null });
    expect(await new NotifySend(printing(), true).show(notice)).toEqual({ shown: false, action: null });
    expect(await new NotifySend(printing("3"), false).show(notice)).toEqual({ shown: false, action: null });
    // No server: notify-send --wait prints nothing and never ends; it is ended, and nothing is shown.
    let killed = false;
    const silent: Run = () => {
      let wake: () => void = () => {};
      return {
        lines: (async function* () {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        })(),
        kill: () => {
          killed = true;
          wake();
        },
      };
    };
    const aborted = new AbortController();
    const pending = new NotifySend(silent, true).show(notice, aborted.signal);
    aborted.abort();
    expect(await pending).toEqual({ shown: false, action: null });
    expect(killed).toBe(true);
  });
});
