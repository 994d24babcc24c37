import type { ReactNode } from "react";

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="text-sm text-muted">
      Loading {what}…
    </p>
  );
}

/** Says what failed and what to do; signed-out callers get a sign-in link. */
export function ErrorState({ error, what }: { error: { message: string; data?: { code?: string } | null } | null; what: string }) {
  if (error?.data?.code === "UNAUTHORIZED") {
    return (
      <p role="alert" className="text-sm text-bad">
        Your session ended. <a href="/sign-in" className="text-accent underline">Sign in</a> again.
      </p>
    );
  }
  if (error?.data?.code === "NOT_FOUND") {
    return (
      <p role="alert" className="text-sm text-bad">
        {error.message} It may have been deleted. <a href="/apps" className="text-accent underline">Back to apps</a>
      </p>
    );
  }
  return (
    <p role="alert" className="text-sm text-bad">
      Could not load {what}: {error?.message ?? "unknown error"}. Reload the page to try again.
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="rounded-lg border border-dashed border-line p-6 text-center text-sm text-muted">{children}</div>;
}

export function Panel({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="rounded-lg border border-line bg-panel p-4" aria-label={title}>
      <div className="mb-3 flex items-center justify-between gap-3">
        <h2 className="font-medium">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
