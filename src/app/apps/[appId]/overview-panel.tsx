"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/lib/trpc/client";
import { AppActions } from "@/components/apps/app-actions";
import { DeployProgress } from "@/components/apps/deploy-progress";
import { ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { StatusBadge } from "@/components/apps/status-badge";
import { RuntimePanel } from "./runtime-panel";
import { deploymentSentence, firstLine, shortSha, timeAgo } from "@/components/apps/format";

export function OverviewPanel({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const app = useQuery(trpc.apps.get.queryOptions({ appId }));
  if (app.isPending) return <Loading what="the app" />;
  if (app.isError) return <ErrorState error={app.error} what="the app" />;
  const a = app.data;
  const current = a.currentDeployment;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Panel title="Quick actions">
        <AppActions appId={appId} status={a.status} hasWorker={a.workerId !== null} />
        {a.activeJob?.pendingReason ? <p className="mt-2 text-xs text-warn">Waiting: {a.activeJob.pendingReason}</p> : null}
      </Panel>
      <Panel title="Latest job">
        <DeployProgress appId={appId} />
      </Panel>
      <Panel title="Current deployment" actions={<Link href={`/apps/${appId}/deployments`} className="text-sm text-accent hover:underline">History</Link>}>
        {current ? (
          <dl className="grid grid-cols-3 gap-2 text-sm wrap-anywhere">
            <dt className="text-muted">Status</dt><dd className="col-span-2"><StatusBadge status={current.status} /></dd>
            <dt className="text-muted">Commit</dt><dd className="col-span-2"><code>{shortSha(current.commitSha)}</code> {firstLine(current.commitMessage)}</dd>
            <dt className="text-muted">Branch</dt><dd className="col-span-2">{current.branch}</dd>
            <dt className="text-muted">Deployed</dt><dd className="col-span-2">{timeAgo(current.finishedAt ?? current.createdAt)} ({current.trigger})</dd>
          </dl>
        ) : (
          <p className="text-sm text-muted">Nothing is live yet. {a.latestDeployment ? deploymentSentence(a.latestDeployment.number, a.latestDeployment.status) : "Deploy to go live."}</p>
        )}
      </Panel>
      <Panel title="Details">
        <dl className="grid grid-cols-3 gap-2 text-sm wrap-anywhere">
          <dt className="text-muted">Repository</dt><dd className="col-span-2 break-all">{a.repoUrl}</dd>
          <dt className="text-muted">Branch</dt><dd className="col-span-2">{a.branch}</dd>
          <dt className="text-muted">Listens on</dt>
          <dd className="col-span-2" data-testid="listen-port">
            {a.listen.port === null
              ? `PORT is assigned when it runs (${a.internalPort} inside a container)`
              : a.listen.runtime === "process"
                ? `PORT=${a.listen.port} (assigned by the worker; it changes with each deploy)`
                : `PORT=${a.listen.port} inside the container, published on ${a.listen.publishedOn}`}
          </dd>
          <dt className="text-muted">Answers at</dt>
          <dd className="col-span-2">{a.directUrl ? <a href={a.directUrl} className="text-accent hover:underline" target="_blank" rel="noreferrer">{a.directUrl}</a> : "not running on a worker yet"}</dd>
          <dt className="text-muted">Plan</dt><dd className="col-span-2">{a.plan.name} · {a.plan.cpu} CPU · {a.plan.memoryMb} MiB</dd>
          <dt className="text-muted">Builds</dt><dd className="col-span-2">{a.plan.build.cpu} CPU · {a.plan.build.memoryMb} MiB · {Math.round(a.plan.build.timeoutSeconds / 60)} min per build</dd>
          <dt className="text-muted">Env vars</dt><dd className="col-span-2"><Link href={`/apps/${appId}/environment`} className="text-accent hover:underline">{a.envCount}</Link></dd>
          <dt className="text-muted">Domains</dt>
          <dd className="col-span-2">
            {a.domains.length ? a.domains.map((d) => <span key={d.id} className="mr-2">{d.hostname} <StatusBadge status={d.status} /></span>) : <Link href={`/apps/${appId}/domains`} className="text-accent hover:underline">Add a custom domain</Link>}
          </dd>
          <dt className="text-muted">Auto-deploy</dt><dd className="col-span-2">{a.autoDeploy ? `on (pushes to ${a.branch})` : "off"}</dd>
          {a.live ? (<><dt className="text-muted">Live usage</dt><dd className="col-span-2">CPU {a.live.cpuPct.toFixed(1)}% · {(a.live.memBytes / 1048576).toFixed(0)} MiB</dd></>) : null}
        </dl>
      </Panel>
      <RuntimePanel appId={appId} runtime={a.runtime} />
    </div>
  );
}
