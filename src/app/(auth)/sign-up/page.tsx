import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCaller } from "@/lib/auth/require-user";
import { AuthCard } from "../_ui/form-parts";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage() {
  if ((await getCaller()).user) redirect("/");
  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account?{" "}
          <Link href="/sign-in" className="text-accent hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <SignUpForm />
    </AuthCard>
  );
}
