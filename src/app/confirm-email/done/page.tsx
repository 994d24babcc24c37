import type { Metadata } from "next";

export const metadata: Metadata = { title: "Email confirmed", robots: { index: false } };

export default function ConfirmEmailDonePage() {
  return (
    <div className="mx-auto mt-10 max-w-md space-y-3 rounded-lg border border-line bg-panel p-6">
      <h1 className="text-xl font-semibold">Email address confirmed</h1>
      <p className="text-sm" role="status">
        Thank you. Your address is confirmed; if your sign-in email was changing, sign in with the new one from now on.
      </p>
      <a href="/settings/security" className="text-sm text-accent hover:underline">
        Security settings
      </a>
    </div>
  );
}
