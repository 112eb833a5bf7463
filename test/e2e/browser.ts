import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ROOT } from "../helpers/repo.ts";
import type { ServerHandle } from "../helpers/world.ts";

export const CHROMIUM = process.env.DISPATCH_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

/**
 * Debian's Chromium, headless. The background-networking flags keep it from dialling out on a
 * machine without internet. A missing browser fails with how to install it, never a skip.
 */
export async function launch(): Promise<Browser> {
  if (!(await Bun.file(CHROMIUM).exists())) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set DISPATCH_CHROMIUM)`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** A signed-in page: /?token= sets the cookie and lands on the board. */
export async function openBoard(browser: Browser, server: ServerHandle, scheme: "light" | "dark" = "light"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: scheme });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error.message));
  await page.goto(`${server.url}/?token=${server.token}`);
  await page.waitForSelector("tbody tr[data-task]");
  return page;
}

/** The badge of `mode` in `task`'s row of the board. */
export const badge = (page: Page, task: string, mode: string) =>
  page.locator(`tr[data-task="${task}"] .badge:has(.mode:text-is("${mode}"))`);
