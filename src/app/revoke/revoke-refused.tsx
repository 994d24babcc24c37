/** The one refusal shown for every bad revoke link, so the reason never leaks. */
export function RevokeRefused() {
  return (
    <div className="mx-auto mt-10 max-w-md space-y-3 rounded-lg border border-line bg-panel p-6" data-testid="revoke-refused">
      <h1 className="text-xl font-semibold">This link cannot be used</h1>
      <p className="text-sm">
        The link is invalid or has expired. Sign in and open Security settings to review and revoke your sessions.
      </p>
      <a href="/sign-in?next=%2Fsettings%2Fsecurity" className="text-sm text-accent hover:underline">
        Sign in
      </a>
    </div>
  );
}
