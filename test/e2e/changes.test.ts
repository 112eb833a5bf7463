// The Changes tab in Chromium, with the real server and real git (DESIGN §13): review a task's
// work, commit what is left, merge it, and remove its worktree without losing anything.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { git } from "../helpers/repo.ts";
import { commitIn, gitState, taskWorktree } from "../helpers/worktree-fixtures.ts";
import { type ServerHandle, World } from "../helpers/world.ts";
import { launch, openBoard, SCREENSHOTS } from "./browser.ts";

/** A test's time budget: each one starts a server and runs the fake agent once; the 5,000-line one renders 5,000 rows. */
const BUDGET_MS = 30000;

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Opens TASK-42's page on its Changes tab and waits for the review. */
async function openChanges(page: Page, server: ServerHandle): Promise<void> {
  await page.goto(`${server.url}/#/task/TASK-42`);
  await page.getByRole("tab", { name: /Changes/ }).click();
  await page.getByRole("region", { name: "Branch" }).waitFor();
}

const region = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const listed = (page: Page, section: string, file: string) => region(page, section).locator(`li[data-file="${file}"]`);
/** An element's text with its whitespace as one space each. */
const words = async (locator: Locator) => ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
const diffOf = (page: Page, section: string, file: string) => region(page, section).locator(`section.file[data-file="${file}"]`);

/** main has greet.ts and a file to rename; the branch changes both and adds util.ts over two commits. */
async function smallChange(world: World, server: ServerHandle): Promise<string> {
  const tree = await taskWorktree(world, server);
  git(tree, "mv", "old-name.txt", "new-name.txt");
  commitIn(tree, { "new-name.txt": `${"line\n".repeat(20)}one more\n` }, "rename the notes");
  commitIn(
    tree,
    {
      "greet.ts": '/** Says hello. */\nexport function greet(name: string): string {\n  return "Hello, " + name + "!";\n}\n',
      "util.ts": "export const answer = 42;\n// the question is unknown\nexport const question = null;\n",
    },
    "greet better, add util",
  );
  return tree;
}

function seedMain(world: World): void {
  world.repo.write("greet.ts", 'export function greet(name: string): string {\n  return "Hello, " + name;\n}\n');
  world.repo.write("old-name.txt", "line\n".repeat(20));
  git(world.repo.repo, "add", "-A");
  git(world.repo.repo, "commit", "-q", "-m", "greet and notes");
}

describe("the Changes tab", () => {
  test(
    "a small change: exact counts, coloured lines, uncommitted files marked; the board's badge follows live; Commit all commits them",
    async () => {
      await using world = new World();
      seedMain(world);
      const server = await world.server();
      const tree = await smallChange(world, server);
      writeFileSync(
        join(tree, "util.ts"),
        "export const answer = 42;\n// the question is unknown\nexport const question = null;\nexport const more = 1;\n",
      );
      writeFileSync(join(tree, "scratch.txt"), "a note\nanother\n");

      // The board shows the badge as soon as the server measures the work (a review measures it).
      const page = await openBoard(browser, server);
      await server.api("/tasks/TASK-42/worktree");
      const badge = page.locator('tr[data-task="TASK-42"] [data-changes]');
      await badge.filter({ hasText: "+6 −1 · 2 uncommitted" }).waitFor();
      expect(await badge.getAttribute("title")).toBe("6 lines added and 1 removed in 3 files; 2 uncommitted files");
      await page.screenshot({ path: join(SCREENSHOTS, "changes-board-badge.png") });

      await openChanges(page, server);
      const head = region(page, "Branch");
      expect(await head.textContent()).toContain("task/TASK-42 → main");
      expect(await head.locator("[data-ahead]").textContent()).toContain("2 commits ahead, 0 behind");
      expect(await head.textContent()).toContain(tree);

      // The files with their exact counts; the rename shows where it came from.
      expect(await words(listed(page, "Changed files", "greet.ts"))).toBe("modified greet.ts +2 −1");
      expect(await words(listed(page, "Changed files", "util.ts"))).toBe("added util.ts +3 −0");
      expect(await words(listed(page, "Changed files", "new-name.txt"))).toBe("renamed old-name.txt → new-name.txt +1 −0");
      expect(await region(page, "Commits").locator("li .subject").allTextContents()).toEqual([
        "greet better, add util",
        "rename the notes",
      ]);

      // The diff: removed and added lines on their colours, TypeScript coloured by its grammar.
      const greet = diffOf(page, "Changed files", "greet.ts");
      await greet.locator(".hljs-keyword").first().waitFor();
      expect(await greet.locator("tr.del .code").allTextContents()).toEqual(['  return "Hello, " + name;']);
      expect(await greet.locator("tr.add .code").allTextContents()).toEqual(["/** Says hello. */", '  return "Hello, " + name + "!";']);
      const background = (row: string) =>
        greet
          .locator(row)
          .first()
          .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(await background("tr.add")).toBe("rgb(230, 255, 236)");
      expect(await background("tr.del")).toBe("rgb(255, 235, 233)");

      // Uncommitted files in their own section, with their own diff.
      const pending = region(page, "Uncommitted changes");
      expect(await words(listed(page, "Uncommitted changes", "util.ts"))).toBe("modified util.ts +1 −0");
      expect(await words(listed(page, "Uncommitted changes", "scratch.txt"))).toBe("untracked scratch.txt +2 −0");
      await diffOf(page, "Uncommitted changes", "util.ts").locator("tr.add .code", { hasText: "export const more = 1;" }).waitFor();
      await diffOf(page, "Uncommitted changes", "scratch.txt").locator("tr.add .code", { hasText: "another" }).waitFor();
      expect(await pending.locator("section.file tr.add").count()).toBe(3);
      await page.screenshot({ path: join(SCREENSHOTS, "changes-small.png"), fullPage: true });

      // Commit all asks for a message, then commits both files; the section goes and git agrees.
      await head.getByRole("button", { name: "Commit all…" }).click();
      const dialog = page.getByRole("dialog", { name: "Commit all uncommitted changes" });
      await dialog.getByLabel("Commit message").fill("the leftovers");
      await page.screenshot({ path: join(SCREENSHOTS, "changes-commit-dialog.png") });
      await dialog.getByRole("button", { name: "Commit 2 files" }).click();
      await page.getByRole("status", { name: "Last action" }).getByText("Committed 2 files").waitFor();
      await pending.waitFor({ state: "detached" });
      expect(git(tree, "status", "--porcelain")).toBe("");
      expect(git(tree, "log", "--format=%s", "-n", "1")).toBe("the leftovers\n");
      expect(git(tree, "show", "--name-only", "--format=", "HEAD").split("\n").filter(Boolean).sort()).toEqual(["scratch.txt", "util.ts"]);
      await head.locator("[data-ahead]").getByText("3 commits").waitFor();
      await page.locator("#tab-changes [data-changes]").filter({ hasText: "+9 −1" }).waitFor();

      // The same tab in the dark theme.
      const dark = await openBoard(browser, server, "dark");
      await openChanges(dark, server);
      await diffOf(dark, "Changed files", "greet.ts").locator(".hljs-keyword").first().waitFor();
      await dark.screenshot({ path: join(SCREENSHOTS, "changes-small-dark.png"), fullPage: true });
    },
    BUDGET_MS,
  );

  test(
    "a 5,000-line file starts closed, opens to its first rows, and Show all reveals every line; the small files open at once",
    async () => {
      await using world = new World();
      const server = await world.server();
      const tree = await taskWorktree(world, server);
      const big = Array.from({ length: 5000 }, (_, i) => `export const value${i} = ${i}; // line ${i + 1}`).join("\n");
      commitIn(
        tree,
        { "big.ts": `${big}\n`, "small.ts": "export const small = true;\n", "README.md": "# Notes\n\nA few words.\n" },
        "a big file",
      );

      const page = await openBoard(browser, server);
      await openChanges(page, server);
      expect(await words(listed(page, "Changed files", "big.ts"))).toBe("added big.ts +5,000 −0");
      const bigDiff = diffOf(page, "Changed files", "big.ts");
      expect(await bigDiff.getByRole("button").getAttribute("aria-expanded")).toBe("false");
      await bigDiff.getByText("A large change (5,000 lines): open it to read it.").waitFor();
      // The small ones are open and coloured; the page answers (the tabs switch back and forth).
      await diffOf(page, "Changed files", "small.ts").locator(".hljs-keyword").first().waitFor();
      await diffOf(page, "Changed files", "README.md").locator("tr.add .code", { hasText: "A few words." }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, "changes-5000-lines.png"), fullPage: true });
      await page.getByRole("tab", { name: "Overview" }).click();
      await page.getByRole("region", { name: "Modes" }).waitFor();
      await page.getByRole("tab", { name: /Changes/ }).click();

      // Opening it shows the first rows and offers the rest.
      await page
        .getByRole("list", { name: "Changed files: files" })
        .getByRole("button", { name: /big\.ts/ })
        .click();
      const showAll = bigDiff.getByRole("button", { name: "Show all 5,001 lines" });
      await showAll.waitFor();
      expect(await bigDiff.getByRole("button", { name: /big\.ts/ }).getAttribute("aria-expanded")).toBe("true");
      expect(await bigDiff.locator("tr.add").count()).toBe(499);
      expect(await bigDiff.getByText("Showing 500 of 5,001 lines").count()).toBe(1);
      await showAll.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, "changes-5000-lines-open.png") });
      await showAll.click();
      await bigDiff.locator("tr.add .code", { hasText: "export const value4999 = 4999; // line 5000" }).waitFor();
      expect(await bigDiff.locator("tr.add").count()).toBe(5000);
      await bigDiff.locator("tr.add").nth(2500).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, "changes-5000-lines-all.png") });
      // Still usable: closing it takes the rows away.
      await bigDiff.getByRole("button", { name: /big\.ts/ }).click();
      await bigDiff.locator("tr").first().waitFor({ state: "detached" });
    },
    BUDGET_MS,
  );

  test(
    "a merge conflict names the conflicted file and says nothing changed; main is as it was",
    async () => {
      await using world = new World();
      world.repo.write("shared.txt", "line one\nline two\n");
      git(world.repo.repo, "add", "-A");
      git(world.repo.repo, "commit", "-q", "-m", "shared file");
      const server = await world.server();
      const tree = await taskWorktree(world, server);
      commitIn(tree, { "shared.txt": "line one\nthe task's line two\n" }, "task edits shared");
      commitIn(world.repo.repo, { "shared.txt": "line one\nmain's line two\n" }, "main edits shared");
      const before = gitState(world.repo.repo);

      const page = await openBoard(browser, server);
      // A task never dispatched has no branch: the tab says so in the server's words.
      await page.goto(`${server.url}/#/task/TASK-7`);
      await page.getByRole("tab", { name: /Changes/ }).click();
      await page.getByText("No work yet").waitFor();
      await page.getByText("TASK-7 has no branch task/TASK-7 yet").waitFor();

      await openChanges(page, server);
      expect(await region(page, "Branch").locator("[data-ahead]").textContent()).toContain("1 commit ahead, 1 behind");
      await region(page, "Branch").getByRole("button", { name: "Merge…" }).click();
      const dialog = page.getByRole("dialog", { name: "Merge task/TASK-42 into main" });
      await dialog.getByRole("button", { name: "Merge into main" }).click();
      const alert = dialog.getByRole("alert");
      await alert.getByText("Merge conflict: nothing was changed.").waitFor();
      expect(await alert.getByRole("list", { name: "Conflicted files" }).locator("li").allTextContents()).toEqual(["shared.txt"]);
      expect(await alert.textContent()).toContain("task/TASK-42 conflicts with main in shared.txt: nothing was changed");
      await page.screenshot({ path: join(SCREENSHOTS, "changes-conflict.png") });
      expect(gitState(world.repo.repo)).toEqual(before);
    },
    BUDGET_MS,
  );

  test(
    "a clean Merge from the UI lands the branch's commits on main",
    async () => {
      await using world = new World();
      const server = await world.server();
      const tree = await taskWorktree(world, server);
      commitIn(tree, { "feature.txt": "new feature\n" }, "add the feature");
      commitIn(tree, { "feature.txt": "new feature, better\n" }, "improve the feature");
      const branchTip = git(tree, "rev-parse", "HEAD").trim();

      const page = await openBoard(browser, server);
      await openChanges(page, server);
      await region(page, "Branch").getByRole("button", { name: "Merge…" }).click();
      const dialog = page.getByRole("dialog", { name: "Merge task/TASK-42 into main" });
      expect(await dialog.getByRole("radio", { name: /Merge commit/ }).isChecked()).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, "changes-merge-dialog.png") });
      await dialog.getByRole("button", { name: "Merge into main" }).click();
      const notice = page.getByRole("status", { name: "Last action" });
      await notice.getByText("Merged 2 commits into main").waitFor();
      await dialog.waitFor({ state: "detached" });

      const main = world.repo.repo;
      const tip = git(main, "rev-parse", "main").trim();
      expect(await notice.textContent()).toContain(tip.slice(0, 12));
      expect(git(main, "merge-base", "--is-ancestor", branchTip, "main")).toBe("");
      expect(git(main, "log", "--format=%s", "-n", "1")).toBe("Merge task/TASK-42 (TASK-42: Answer everything)\n");
      expect(git(main, "log", "--format=%s", "main^1..main").split("\n").filter(Boolean).slice(1)).toEqual([
        "improve the feature",
        "add the feature",
      ]);
      expect(git(main, "show", "main:feature.txt")).toBe("new feature, better\n");
      // Nothing left to merge: the header says so and Merge waits for new work.
      await region(page, "Branch").locator("[data-ahead]").getByText("0 commits").waitFor();
      expect(await region(page, "Branch").getByRole("button", { name: "Merge…" }).isDisabled()).toBe(true);
    },
    BUDGET_MS,
  );

  test(
    "Remove with uncommitted work is refused and shows what would be lost; saving to a backup ref removes it and says how to restore",
    async () => {
      await using world = new World();
      const server = await world.server();
      const tree = await taskWorktree(world, server);
      commitIn(tree, { "done.txt": "committed\n" }, "some work");
      writeFileSync(join(tree, "draft.txt"), "not committed yet\n");

      const page = await openBoard(browser, server);
      await openChanges(page, server);
      await region(page, "Branch").getByRole("button", { name: "Remove worktree…" }).click();
      const dialog = page.getByRole("dialog", { name: "Remove the worktree" });
      await dialog.getByRole("button", { name: "Remove worktree" }).click();
      const lost = dialog.getByRole("alert", { name: "What would be lost" });
      await lost.waitFor();
      expect(await lost.locator("li").allTextContents()).toEqual(["draft.txt"]);
      expect(await lost.textContent()).toContain("1 uncommitted file");
      expect(await lost.textContent()).toContain("nothing was removed");
      expect(existsSync(tree)).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, "changes-would-lose-work.png") });

      await dialog.getByRole("button", { name: "Save to a backup ref and remove" }).click();
      const notice = page.getByRole("status", { name: "Last action" });
      await notice.getByText("To get it back:").waitFor();
      const ref = git(world.repo.repo, "for-each-ref", "--format=%(refname)", "refs/dispatch/backup/").trim();
      expect(ref).toMatch(/^refs\/dispatch\/backup\/TASK-42\/.+/);
      expect(await notice.locator("code.ref").textContent()).toBe(ref);
      expect(await notice.locator("code.restore").textContent()).toMatch(
        new RegExp(`^git -C \\S+ worktree add -b task/TASK-42-restored \\S+/TASK-42-restored ${ref}$`),
      );
      expect(existsSync(tree)).toBe(false);
      expect(git(world.repo.repo, "show", `${ref}:draft.txt`)).toBe("not committed yet\n");
      // The branch stays; the tab says there is no worktree now.
      await region(page, "Branch").getByText("no worktree now").waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, "changes-removed.png"), fullPage: true });
    },
    BUDGET_MS,
  );

  test(
    "Open pull request (gh installed, a remote): asks first, pushes, and links the pull request",
    async () => {
      await using world = new World();
      const remote = join(world.repo.root, "remote.git");
      git(world.repo.root, "init", "-q", "--bare", remote);
      git(world.repo.repo, "remote", "add", "origin", remote);
      // A stand-in for gh: answers with an address, as gh does.
      const bin = join(world.repo.root, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "gh"), "#!/bin/sh\necho https://github.com/o/r/pull/7\n");
      chmodSync(join(bin, "gh"), 0o755);
      const server = await world.server({ PATH: `${bin}:${process.env.PATH}` });
      const tree = await taskWorktree(world, server);
      commitIn(tree, { "feature.txt": "f\n" }, "the feature");

      const page = await openBoard(browser, server);
      await openChanges(page, server);
      await region(page, "Branch").getByRole("button", { name: "Open pull request…" }).click();
      const dialog = page.getByRole("dialog", { name: "Open a pull request" });
      expect(await words(dialog)).toContain("Pushes task/TASK-42 (1 commit) to the repository's remote");
      await dialog.getByRole("button", { name: "Push and open" }).click();
      const link = page.getByRole("status", { name: "Last action" }).getByRole("link", { name: "https://github.com/o/r/pull/7" });
      await link.waitFor();
      expect(git(remote, "rev-parse", "task/TASK-42").trim()).toBe(git(tree, "rev-parse", "HEAD").trim());
      await page.screenshot({ path: join(SCREENSHOTS, "changes-pull-request.png") });
    },
    BUDGET_MS,
  );
});
