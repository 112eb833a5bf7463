import { afterAll, expect, test } from "bun:test";
import { git, tempRepo } from "../../test/helpers/repo.ts";
import { baseOf } from "./base.ts";
import { gitAt } from "./git.ts";

const repo = tempRepo();
afterAll(() => repo[Symbol.dispose]());

test("looks that record a branch's base at the same moment all get it (git config's lock is taken by turns)", async () => {
  const branches = Array.from({ length: 12 }, (_, i) => `task/B-${i}`);
  for (const branch of branches) git(repo.repo, "branch", branch);
  const at = gitAt(repo.repo);
  // Four looks at each branch at once: the board's sweep, a review, a merge, a second board.
  const bases = await Promise.all(branches.flatMap((branch) => [1, 2, 3, 4].map(() => baseOf(at, branch, null))));
  const head = git(repo.repo, "rev-parse", "HEAD").trim();
  for (const base of bases) expect(base).toEqual({ branch: "main", commit: head });
  for (const branch of branches) expect(git(repo.repo, "config", `branch.${branch}.dispatchBaseCommit`).trim()).toBe(head);
});
