import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { taskFile } from "../helpers/repo.ts";
import { World, waitFor } from "../helpers/world.ts";
import { badge, launch, openBoard, SCREENSHOTS } from "./browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("answering an agent from the board (the fake agent runs Claude Code's hooks)", () => {
  test("an interactive run that wants to run a command shows on the board and in the title; Allow on the task page runs it", async () => {
    await using world = new World();
    const server = await world.server();
    const page = await openBoard(browser, server);
    await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    await badge(page, "TASK-42", "interactive").locator(".label:text-is('waiting')").waitFor();

    const proof = join(world.repo.root, "proof");
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "-l", `bash touch ${proof}`);
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "Enter");
    await badge(page, "TASK-42", "interactive").locator(".label:text-is('needs approval')").waitFor();
    await waitFor("the title to count it", async () => (await page.title()).startsWith("(1 need you)"));
    await page.screenshot({ path: join(SCREENSHOTS, "board-needs-approval.png") });

    await page.goto(`${server.url}/#/task/TASK-42`);
    const asks = page.getByRole("region", { name: "interactive asks" });
    await asks.waitFor();
    expect(await asks.locator("code").textContent()).toBe(`touch ${proof}`);
    await page.screenshot({ path: join(SCREENSHOTS, "task-needs-approval.png"), fullPage: true });
    await page.getByRole("button", { name: "Allow interactive on TASK-42" }).click();
    await page.locator('[data-mode="interactive"] .badge .label:text-is("waiting")').waitFor();
    expect(existsSync(proof)).toBe(true);
    expect(await asks.count()).toBe(0);
    await waitFor("the title to drop the count", async () => !(await page.title()).includes("need you"));
  });

  test("Deny on a headless run with a reason: the tool never runs and the agent is told why; the history shows its cost and turns", async () => {
    await using world = new World();
    const proof = join(world.repo.root, "never");
    world.repo.write("tasks/TASK-9.md", taskFile("TASK-9", "Run a tool", `FAKE_BASH touch ${proof}`));
    const server = await world.server();
    const page = await openBoard(browser, server);
    await page.goto(`${server.url}/#/task/TASK-9`);
    await page.getByRole("button", { name: "Run doc-gen on TASK-9" }).click();
    const asks = page.getByRole("region", { name: "doc-gen asks" });
    await asks.waitFor();
    await asks.getByLabel("Reason for denying").fill("not on my machine");
    await page.getByRole("button", { name: "Deny doc-gen on TASK-9" }).click();
    await page.locator('[data-mode="doc-gen"] .badge.finished').waitFor();
    expect(existsSync(proof)).toBe(false);
    expect(await (await server.api("/logs/doc-gen/TASK-9")).text()).toContain("denied by a hook: not on my machine");
    const history = page.getByRole("region", { name: "Run history" });
    await history.getByText("$0.0123").waitFor();
    expect(await history.locator("tbody tr td.num").getAttribute("title")).toBe("2 turns");
    await page.screenshot({ path: join(SCREENSHOTS, "task-history-cost.png"), fullPage: true });
  });

  test("the board shows what each agent does: waiting, working, needs approval, needs input, error; the title counts those that need the user", async () => {
    await using world = new World();
    // The fake agent acts out the task's text as its first prompt.
    world.repo.write("tasks/TASK-1.md", taskFile("TASK-1", "Wait for me", "Say hello."));
    world.repo.write("tasks/TASK-2.md", taskFile("TASK-2", "Think hard", "slow 60"));
    world.repo.write("tasks/TASK-3.md", taskFile("TASK-3", "Pick a colour", "ask"));
    world.repo.write("tasks/TASK-4.md", taskFile("TASK-4", "Hit an API error", "fail"));
    world.repo.write("tasks/TASK-5.md", taskFile("TASK-5", "Clean the build", `bash rm -rf ${join(world.repo.root, "build")}`));
    const server = await world.server();
    const page = await openBoard(browser, server);
    const expected = { "TASK-1": "waiting", "TASK-2": "working", "TASK-3": "needs input", "TASK-4": "error", "TASK-5": "needs approval" };
    for (const id of Object.keys(expected)) await server.api(`/dispatch/interactive/${id}`, { method: "POST" });
    for (const [id, label] of Object.entries(expected))
      await badge(page, id, "interactive").locator(`.label:text-is('${label}')`).waitFor();
    await waitFor("the title to count them", async () => (await page.title()).startsWith("(3 need you)"));
    await page.screenshot({ path: join(SCREENSHOTS, "board-activity.png") });

    await page.goto(`${server.url}/#/task/TASK-3`);
    await page.getByRole("region", { name: "interactive asks" }).getByText("Which colour?").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "task-needs-input.png") });
    await page.goto(`${server.url}/#/task/TASK-4`);
    await page.getByRole("region", { name: "interactive asks" }).getByText("API Error: 400").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "task-error.png") });
  });

  test("a run that starts to need the user raises a notification naming the task and why; clicking it opens the task", async () => {
    await using world = new World();
    const server = await world.server();
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    // Record notifications instead of showing them (permission granted); keep them to click.
    await context.addInitScript(() => {
      const shown: Array<{ title: string; body: string; onclick: (() => void) | null }> = [];
      class FakeNotification {
        static permission = "granted";
        static requestPermission = async () => "granted";
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          shown.push(Object.assign(this, { title, body: options?.body ?? "" }));
        }
      }
      Object.assign(window, { Notification: FakeNotification, shownNotifications: shown });
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/?token=${server.token}`);
    await page.waitForSelector("tbody tr[data-task]");
    await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    await badge(page, "TASK-42", "interactive").locator(".label:text-is('waiting')").waitFor();
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "-l", "bash make clean");
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "Enter");
    type Shown = { shownNotifications: Array<{ title: string; body: string; onclick: () => void }> };
    await page.waitForFunction(() => (window as unknown as Shown).shownNotifications.length > 0);
    const shown = await page.evaluate(() => (window as unknown as Shown).shownNotifications.map((n) => `${n.title} | ${n.body}`));
    expect(shown).toEqual(["TASK-42: wants to run Bash | interactive: make clean"]);
    await page.evaluate(() => (window as unknown as Shown).shownNotifications[0]?.onclick());
    await page.locator("#task-title").getByText("Answer everything").waitFor();
    expect(page.url()).toEndWith("#/task/TASK-42");
  });
});
