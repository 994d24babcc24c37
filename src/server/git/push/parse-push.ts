import { branchFromRef, pushTimeOf, shaOf, str, ZERO_SHA, type HeaderGet, type ParsedDelivery, type PushVendor } from "./push-event";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const shas = (commits: Json[], key: string): string[] => commits.map((c) => shaOf(c[key])).filter(Boolean);

/** GitHub and Gitea/Forgejo share the push payload shape. */
function parseGithubLike(vendor: "github" | "gitea", event: string | null, body: Json): ParsedDelivery {
  if (event === "ping") return { kind: "ping" };
  if (event !== "push") return { kind: "ignored", reason: `${event ?? "unknown"} events are not deployed` };
  const repo = obj(body.repository);
  const head = obj(body.head_commit);
  const after = str(body.after);
  const pusher = obj(body.pusher);
  return {
    kind: "push",
    event: {
      vendor,
      repoUrls: [str(repo.clone_url), str(repo.ssh_url), str(repo.html_url), str(repo.git_url)].filter(Boolean),
      branch: branchFromRef(body.ref),
      commitSha: str(head.id) || after,
      commitMessage: str(head.message),
      before: shaOf(body.before),
      commitShas: shas(arr(body.commits).map(obj), "id"),
      forced: body.forced === true,
      pushedAt: pushTimeOf(repo.pushed_at),
      pusher: str(pusher.name) || str(pusher.login) || str(pusher.username) || str(obj(body.sender).login),
      deleted: body.deleted === true || ZERO_SHA.test(after),
    },
  };
}

function parseGitlab(event: string | null, body: Json): ParsedDelivery {
  if (event === "Tag Push Hook") return { kind: "ignored", reason: "tag pushes are not deployed" };
  if (event !== "Push Hook") return { kind: "ignored", reason: `${event ?? "unknown"} events are not deployed` };
  const project = obj(body.project);
  const repository = obj(body.repository);
  const checkout = str(body.checkout_sha);
  const after = str(body.after);
  const sha = checkout || after;
  const commits = arr(body.commits).map(obj);
  const headCommit = commits.find((c) => str(c.id) === sha) ?? commits[commits.length - 1] ?? {};
  return {
    kind: "push",
    event: {
      vendor: "gitlab",
      repoUrls: [str(project.git_http_url), str(project.git_ssh_url), str(project.web_url), str(repository.git_http_url), str(repository.git_ssh_url)].filter(Boolean),
      branch: branchFromRef(body.ref),
      commitSha: sha,
      commitMessage: str(headCommit.message),
      before: shaOf(body.before),
      commitShas: shas(commits, "id"),
      forced: false,
      pushedAt: null,
      pusher: str(body.user_username) || str(body.user_name),
      deleted: ZERO_SHA.test(after),
    },
  };
}

/** Bitbucket Cloud repo:push: one change per updated ref; the first branch update is used. */
function parseBitbucket(event: string | null, body: Json): ParsedDelivery {
  if (event === "diagnostics:ping") return { kind: "ping" };
  if (event !== "repo:push") return { kind: "ignored", reason: `${event ?? "unknown"} events are not deployed` };
  const repo = obj(body.repository);
  const links = obj(repo.links);
  const html = str(obj(links.html).href);
  const fullName = str(repo.full_name);
  const changes = arr(obj(body.push).changes).map(obj);
  const change = changes.find((c) => str(obj(c.new).type) === "branch") ?? changes[0] ?? {};
  const next = obj(change.new);
  const target = obj(next.target);
  const actor = obj(body.actor);
  const urls = [html];
  if (fullName && html) {
    const host = new URL(html).host;
    urls.push(`https://${host}/${fullName}.git`, `git@${host}:${fullName}.git`);
  }
  return {
    kind: "push",
    event: {
      vendor: "bitbucket",
      repoUrls: urls.filter(Boolean),
      branch: str(next.type) === "branch" ? str(next.name) || null : null,
      commitSha: str(target.hash),
      commitMessage: str(target.message),
      before: shaOf(obj(obj(change.old).target).hash),
      commitShas: shas(arr(change.commits).map(obj), "hash"),
      forced: change.forced === true,
      pushedAt: null,
      pusher: str(actor.nickname) || str(actor.display_name),
      deleted: change.closed === true || Object.keys(next).length === 0,
    },
  };
}

export function parsePushDelivery(vendor: PushVendor, header: HeaderGet, body: unknown): ParsedDelivery {
  const json = obj(body);
  switch (vendor) {
    case "github":
      return parseGithubLike("github", header("x-github-event"), json);
    case "gitea":
      return parseGithubLike("gitea", header("x-gitea-event") ?? header("x-forgejo-event") ?? header("x-gogs-event"), json);
    case "gitlab":
      return parseGitlab(header("x-gitlab-event"), json);
    case "bitbucket":
      return parseBitbucket(header("x-event-key"), json);
  }
}
