import type { Metadata } from "next";

export const metadata: Metadata = { title: "Session revoked", robots: { index: false } };

export default function RevokeDonePage() {
  return (
    <div className="mx-auto mt-10 max-w-md space-y-3 rounded-lg border border-line bg-panel p-6">
      <h1 className="text-xl font-semibold">Session revoked</h1>
      <p className="text-sm" role="status">
        That session is signed out. If the sign-in was not you, sign in and change your password now.
      </p>
      <a href="/sign-in?next=%2Fsettings%2Fsecurity" className="text-sm text-accent hover:underline">
        Sign in
      </a>
    </div>
  );
}
