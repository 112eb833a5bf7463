import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { alive } from "../../src-ext/proc/liveness.ts";
import { type ServerHandle, World, waitFor } from "../helpers/world.ts";
import { launch, SCREENSHOTS } from "./browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(server: ServerHandle, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error.message));
  await page.goto(`${server.url}/?token=${server.token}`);
  await page.waitForSelector("tbody tr[data-task]");
  await page.goto(`${server.url}/${path}`);
  return page;
}

const row = (page: Page, mode: string) => page.locator(`[data-mode="${mode}"]`);

describe("the task page in Chromium", () => {
  test("Run, Stop and View Log from the detail page; the markdown body is rendered safely", async () => {
    await using world = new World();
    world.repo.write(
      "tasks/TASK-42.md",
      `+++\nid = "TASK-42"\ntitle = "Answer everything"\nstatus = "todo"\nowner = "ada"\n+++\n\n## Plan\n\nFind **the question**.\n\n<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>\n\n[click](javascript:alert(1))\n`,
    );
    const server = await world.server();
    const page = await signIn(server, "#/task/TASK-42");
    await page.waitForSelector("#task-title");
    expect(await page.locator(".markdown h2").textContent()).toBe("Plan");
    expect(await page.locator(".markdown strong").textContent()).toBe("the question");
    // The HTML in the task file is shown as text, never run.
    expect(await page.locator(".markdown img, .markdown script").count()).toBe(0);
    expect(await page.locator('.markdown a[href^="javascript"]').count()).toBe(0);
    expect(await page.title()).not.toContain("pwned");
    expect(await page.getByRole("region", { name: "Front matter" }).textContent()).toContain("ada");
    expect(await page.textContent(".where")).toContain(join(world.repo.worktrees, "TASK-42"));

    // Run with extras, then Stop.
    await row(page, "code-review").getByLabel("Extras for code-review").fill("--fake-sleep 30 --fake-grandchild");
    await page.getByRole("button", { name: "Run code-review on TASK-42" }).click();
    await row(page, "code-review").locator(".badge.running").waitFor();
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    expect(agent.argv).toContain("--fake-grandchild");
    await page.screenshot({ path: join(SCREENSHOTS, "task-running.png"), fullPage: true });
    await page.getByRole("button", { name: "Stop code-review on TASK-42" }).click();
    await row(page, "code-review").locator(".badge.stopped").waitFor();
    await waitFor("the agent and its grandchild to end", () => !alive(agent.pid) && !alive(agent.grandchild as number));
    // The history says who started it.
    await page.getByRole("region", { name: "Run history" }).getByText("UI").waitFor();

    // A run that fails shows its code and the API's message for a conflict shows as a toast.
    await page.getByRole("button", { name: "Run doc-gen on TASK-42" }).click();
    await row(page, "doc-gen").locator(".badge.finished").waitFor({ timeout: 15000 });
    await page.screenshot({ path: join(SCREENSHOTS, "task-detail.png"), fullPage: true });

    // View Log.
    await page.getByRole("link", { name: "View the log of doc-gen on TASK-42" }).click();
    await page.getByRole("log", { name: "Readable log" }).waitFor();
    await page.getByText("Looking at the task.").waitFor();
    const result = page.locator(".result");
    await result.waitFor();
    expect(await result.textContent()).toContain("$0.0123");
    expect(await result.textContent()).toContain("2 turns");
    await page.screenshot({ path: join(SCREENSHOTS, "log-readable.png") });
    await page.getByRole("button", { name: "Raw" }).click();
    await page.getByRole("log", { name: "Log output" }).getByText('"type":"result"', { exact: false }).first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "log-raw.png") });

    // The history opens the log of the run it names, not the newest one.
    await server.api("/dispatch/doc-gen/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-exit", "3"] }) });
    await waitFor("the second doc-gen", async () => (await (await server.api("/status/doc-gen/TASK-42")).json()).state === "failed");
    await page.goto(`${server.url}/#/task/TASK-42`);
    const older = page
      .getByRole("region", { name: "Run history" })
      .getByRole("link", { name: /^Log of doc-gen/ })
      .last();
    await older.click();
    await page.locator(".result").waitFor();
    expect(await page.locator(".result").textContent()).toContain("Finished");
    await page.goto(`${server.url}/#/log/doc-gen/TASK-42`);
    await page.locator(".result.bad").waitFor();
  });

  test("the log viewer follows a live interactive run in a terminal view", async () => {
    await using world = new World();
    const server = await world.server();
    await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    const page = await signIn(server, "#/log/interactive/TASK-42");
    await page.locator(".xterm-rows").getByText("fake-claude interactive").waitFor();
    await waitFor("the prompt", () => /^>/m.test(world.tmux("capture-pane", "-p", "-t", "=claude-interactive-TASK-42:").out));
    // Typed (again after a second, if need be) until the agent has it; then the page must show it too.
    let typedAt = 0;
    await waitFor("the agent's answer in the pane", () => {
      if (world.tmux("capture-pane", "-p", "-t", "=claude-interactive-TASK-42:").out.includes("you said: hello from the test")) return true;
      if (Date.now() - typedAt > 1000) {
        typedAt = Date.now();
        world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "-l", "hello from the test");
        world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "Enter");
      }
      return false;
    });
    await page
      .locator(".xterm-rows")
      .getByText("you said: hello from the test")
      .waitFor()
      .catch(async (error) => {
        // Say where the bytes stopped: the pane, the log on disk, or the page.
        console.error("pane:", world.tmux("capture-pane", "-p", "-t", "=claude-interactive-TASK-42:").out);
        console.error("log:", JSON.stringify((await (await server.api("/logs/interactive/TASK-42")).text()).slice(-400)));
        console.error("page:", await page.locator(".xterm-rows").textContent());
        throw error;
      });
    await page.screenshot({ path: join(SCREENSHOTS, "log-terminal.png") });
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByText("complete ·", { exact: false }).waitFor();
  });

  test("a 20 MB headless log opens and shows its end", async () => {
    await using world = new World();
    const server = await world.server();
    const bytes = 20 * 1024 * 1024;
    await server.api("/dispatch/test-writer/TASK-42", {
      method: "POST",
      body: JSON.stringify({ extras: ["--fake-bytes", String(bytes)] }),
    });
    await waitFor("the run to end", async () => (await (await server.api("/status/test-writer/TASK-42")).json()).state === "finished");
    const page = await signIn(server, "#/log/test-writer/TASK-42");
    await page.getByText("complete ·", { exact: false }).waitFor({ timeout: 60000 });
    await page.locator(".result").waitFor();
    await page.getByRole("button", { name: "Raw" }).click();
    const last = String(Math.ceil(bytes / 64) - 1).padStart(8, "0");
    await page.getByRole("log", { name: "Log output" }).getByText(last).waitFor();
    // Only a window of the 300,000+ lines is in the page.
    expect(await page.locator(".line").count()).toBeLessThan(500);
  });

  test("a link opened from another app (Sec-Fetch-Site: none, the cookie present) stops nothing and starts nothing", async () => {
    await using world = new World();
    const server = await world.server();
    const run = await (
      await server.api("/dispatch/code-review/TASK-7", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) })
    ).json();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?token=${server.token}`);
      await page.waitForSelector("tbody tr[data-task]");
      // Opened as a chat or mail app opens a link: a top-level navigation the page did not make.
      const link = await context.newPage();
      const sent: Promise<Record<string, string>>[] = [];
      link.on("request", (r) => sent.push(r.allHeaders()));
      const stop = await link.goto(`${server.url}/stop/code-review/TASK-7`);
      expect(stop?.status()).toBe(403);
      expect(JSON.parse((await stop?.text()) ?? "{}").error.message).toContain("a browser cannot change anything with GET");
      for (const path of ["/dispatch/interactive/TASK-42", "/attach/interactive/TASK-42"]) {
        const res = await link.goto(`${server.url}${path}`);
        // Refused as a change without intent (403), or a GET on a POST-only route (405): JSON either way.
        expect({ path, refused: [403, 405].includes(res?.status() ?? 0) }).toEqual({ path, refused: true });
        expect(JSON.parse((await res?.text()) ?? "{}").error.code).toBeOneOf(["forbidden", "method_not_allowed"]);
      }
      // It was the browser's own kind of request: no Sec-Fetch-Site but `none`.
      const headers = await Promise.all(sent);
      expect(headers.map((h) => [h["sec-fetch-site"], Boolean(h.cookie)])).toEqual(headers.map(() => ["none", true]));
      expect(await (await server.api("/status/code-review/TASK-7")).json()).toMatchObject({ state: "running", runId: run.runId });
      expect(world.agentRuns().length).toBe(1);
      // Reading stays possible that way: the board, a status.
      expect((await link.goto(`${server.url}/status/code-review/TASK-7`))?.status()).toBe(200);
    } finally {
      await context.close();
    }
  });

  test("a page from another origin in the same browser cannot start or stop a run with the user's cookie", async () => {
    await using world = new World();
    const server = await world.server();
    await server.api("/dispatch/code-review/TASK-7", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/?token=${server.token}`);
    await page.waitForSelector("tbody tr[data-task]");
    const target = server.url;
    const evil = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        new Response(
          `<!doctype html><body>
          <form id="f" method="POST" action="${target}/dispatch/code-review/TASK-42"></form>
          <img src="${target}/stop/code-review/TASK-7">
          <iframe name="sink"></iframe>
          <script>
            fetch("${target}/dispatch/interactive/TASK-42", { method: "POST", credentials: "include", mode: "no-cors", body: "{}" }).catch(() => {});
            fetch("${target}/stop/code-review/TASK-7", { credentials: "include", mode: "no-cors" }).catch(() => {});
            const f = document.getElementById("f"); f.target = "sink"; f.submit();
            setTimeout(() => { document.title = "done"; }, 1500);
          </script></body>`,
          { headers: { "content-type": "text/html" } },
        ),
    });
    try {
      for (const host of ["127.0.0.1", "localhost"]) {
        const attacker = await context.newPage();
        await attacker.goto(`http://${host}:${evil.port}/`);
        await attacker.waitForFunction(() => document.title === "done");
        await attacker.close();
      }
      const runs = (await (await server.api("/runs")).json()).runs as Array<{ mode: string; taskId: string; state: string }>;
      expect(runs.map((r) => `${r.mode}/${r.taskId}/${r.state}`)).toEqual(["code-review/TASK-7/running"]);
      expect(world.agentRuns().length).toBe(1);
    } finally {
      evil.stop(true);
      await context.close();
    }
  });
});
