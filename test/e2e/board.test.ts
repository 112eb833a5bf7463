import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { git, taskFile } from "../helpers/repo.ts";
import { World, waitFor } from "../helpers/world.ts";
import { badge, launch, openBoard, SCREENSHOTS } from "./browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("the task board in Chromium", () => {
  test("lists the repo's tasks, the seed example included, and the broken file as a problem", async () => {
    await using world = new World();
    const server = await world.server();
    const page = await openBoard(browser, server);
    // The token left the address bar.
    expect(page.url()).toBe(`${server.url}/#/`.replace("#/", ""));
    const ids = await page.locator("tbody tr[data-task]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-task")));
    // Natural order: TASK-7 before TASK-42.
    expect(ids).toEqual(["TASK-7", "TASK-42", "TASK-20250516T024757"]);
    await expect(page.locator('tr[data-task="TASK-20250516T024757"] .title').textContent()).resolves.toContain(
      "Task-Aware Claude Sessions",
    );
    const problems = page.getByRole("region", { name: "Problems" });
    await expect(problems.textContent()).resolves.toContain("tasks/broken.md:3");
    await page.screenshot({ path: join(SCREENSHOTS, "board-light.png") });
    const dark = await openBoard(browser, server, "dark");
    await dark.screenshot({ path: join(SCREENSHOTS, "board-dark.png") });

    // The filter narrows the list and is remembered across a reload.
    await page.getByLabel("Filter tasks by text").fill("nested");
    await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-task]").length === 1);
    await page.reload();
    await page.waitForSelector("tbody tr[data-task]");
    expect(await page.getByLabel("Filter tasks by text").inputValue()).toBe("nested");
    expect(await page.locator("tbody tr[data-task]").count()).toBe(1);
  });

  test("a run dispatched through the API turns its badge running, then finished, without a reload", async () => {
    await using world = new World();
    const server = await world.server();
    const page = await openBoard(browser, server);
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "1.5"] }) });
    await badge(page, "TASK-42", "code-review").locator(".label:text-is('running')").waitFor();
    await badge(page, "TASK-42", "code-review").locator(".label:text-is('finished')").waitFor({ timeout: 15000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // A failing run shows its exit code.
    await server.api("/dispatch/doc-gen/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-exit", "3"] }) });
    await badge(page, "TASK-42", "doc-gen").locator(".label:text-is('failed 3')").waitFor({ timeout: 15000 });
  });

  test("says when the server is down, and catches up by itself when it is back", async () => {
    await using world = new World();
    const port = await freePort();
    const first = await world.server({}, port);
    const page = await openBoard(browser, first);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    await first.stop();
    await page.getByRole("alert").filter({ hasText: "Lost the connection" }).waitFor();
    // While it was down, a run happened.
    expect((await world.cli(["code-review", "TASK-7"])).code).toBe(0);
    await world.server({}, port);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor({ timeout: 15000 });
    await badge(page, "TASK-7", "code-review").locator(".label:text-is('finished')").waitFor();
  });

  test("keyboard: j/k move, Enter opens, r runs, Escape goes back", async () => {
    await using world = new World();
    const server = await world.server();
    const page = await openBoard(browser, server);
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    expect(await page.locator("tr.selected").getAttribute("data-task")).toBe("TASK-42");
    expect(await page.locator("tr.selected").getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#task-title");
    expect(page.url()).toEndWith("#/task/TASK-42");
    await page.keyboard.press("Escape");
    await page.waitForSelector("tbody tr[data-task]");
    // The selection survived the visit; r runs the first interactive mode on it.
    expect(await page.locator("tr.selected").getAttribute("data-task")).toBe("TASK-42");
    await page.keyboard.press("r");
    await badge(page, "TASK-42", "interactive").locator(".label:text-is('running')").waitFor();
    await page.keyboard.press("s");
    await badge(page, "TASK-42", "interactive").locator(".label:text-is('stopped')").waitFor();
    await waitFor("the session to end", () => world.tmux("has-session", "-t", "=claude-interactive-TASK-42").code !== 0);
  });

  test("a board of 2,000 tasks renders the rows on screen only; scrolling, j/k and the filter reach any task", async () => {
    await using world = new World();
    const many = join(world.repo.repo, "tasks", "many");
    mkdirSync(many);
    for (let i = 0; i < 2000; i++) writeFileSync(join(many, `T-${i}.md`), taskFile(`T-${i}`, `Task number ${i}`));
    const server = await world.server();
    const page = await openBoard(browser, server);
    await page.getByText("2003 of 2003 tasks").waitFor();
    const rendered = await page.locator("tbody tr[data-task]").count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);
    const onScreen = async (id: string) => {
      const box = await page.locator(`tr[data-task="${id}"]`).boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= 820;
    };

    // The end of the list, by scrolling the page: the last task (natural order) is there and on screen.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForSelector('tr[data-task="TASK-20250516T024757"]');
    expect(await onScreen("TASK-20250516T024757")).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, "board-2000-end.png") });

    // j moves the selection past the first screen; the page follows it.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForSelector('tr[data-task="T-0"]');
    for (let i = 0; i < 50; i++) await page.keyboard.press("j");
    await page.waitForSelector('tr.selected[data-task="T-50"]');
    expect(await onScreen("T-50")).toBe(true);
    for (let i = 0; i < 3; i++) await page.keyboard.press("k");
    await page.waitForSelector('tr.selected[data-task="T-47"]');
    expect(await onScreen("T-47")).toBe(true);

    await page.getByLabel("Filter tasks by text").fill("T-1999");
    await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-task]").length === 1);
    expect(await onScreen("T-1999")).toBe(true);
    await page.getByLabel("Filter tasks by text").fill("");
  });

  test("a headless run's end raises a notification naming task, mode and outcome; API errors show as toasts", async () => {
    await using world = new World();
    git(world.repo.repo, "checkout", "-q", "-b", "task/TASK-7");
    const server = await world.server();
    const context = await browser.newContext();
    // Record notifications instead of showing them; permission already granted.
    await context.addInitScript(() => {
      const shown: string[] = [];
      class FakeNotification {
        static permission = "granted";
        static requestPermission = async () => "granted";
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          shown.push(`${title} | ${options?.body ?? ""}`);
        }
      }
      Object.assign(window, { Notification: FakeNotification, shownNotifications: shown });
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/?token=${server.token}`);
    await page.waitForSelector("tbody tr[data-task]");
    await server.api("/dispatch/code-review/TASK-42", {
      method: "POST",
      body: JSON.stringify({ extras: ["--fake-sleep", "0.5", "--fake-exit", "4"] }),
    });
    await page.waitForFunction(() => (window as unknown as { shownNotifications: string[] }).shownNotifications.length > 0);
    const shown = await page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications);
    expect(shown[0]).toStartWith("TASK-42: code-review failed with exit code 4");

    // The branch of TASK-7 is checked out in the main working tree: the API's message is shown.
    await page.goto(`${server.url}/#/task/TASK-7`);
    await page.getByRole("button", { name: "Run code-review on TASK-7" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Could not start code-review on TASK-7" });
    await alert.waitFor();
    expect(await alert.textContent()).toContain("checked out in the main working tree");
    await context.close();
  });

  test("without a valid token the page explains how to open it", async () => {
    await using world = new World();
    const server = await world.server();
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(`${server.url}/`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent("body")).toContain("dispatch serve");
    await context.close();
  });
  test("a repository with code of its own: the trust panel shows what it would run, and trusting it takes effect at once", async () => {
    await using world = new World();
    world.repo.write(
      ".dispatch/modes/code-review.toml",
      'description = "Review"\ninteractive = false\nargs = ["-p", "--dangerously-skip-permissions"]\nprompt = "Review {{task.id}}"\n',
    );
    world.repo.write(".mcp.json", JSON.stringify({ mcpServers: { helper: { command: "npx", args: ["some-server"] } } }));
    const server = await world.server();
    const page = await openBoard(browser, server);
    const panel = page.getByRole("region", { name: "Repository trust" });
    await panel.waitFor();
    await expect(panel.textContent()).resolves.toContain("replaces the built-in code-review");
    await expect(panel.textContent()).resolves.toContain("MCP server helper: npx some-server");
    await page.screenshot({ path: join(SCREENSHOTS, "board-trust.png") });
    await panel.getByRole("button", { name: "Trust this exact content" }).click();
    await panel.waitFor({ state: "detached" });
    expect((await (await server.api("/trust")).json()).trusted).toBe(true);
    const modes = (await (await server.api("/modes")).json()).modes;
    expect(modes.find((m: { name: string }) => m.name === "code-review")).toMatchObject({ source: "repo", overrides: true, trusted: true });
    await page.context().close();
  });
});

async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port as number;
  probe.stop(true);
  return port;
}
