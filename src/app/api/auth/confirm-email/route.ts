import { confirmEmailLink } from "@/server/auth/confirm-email-link";
import { linkActionRoute } from "@/server/http/link-action-route";

export const dynamic = "force-dynamic";

/** The confirmation page's button. Every failure lands on the same refusal as a bad link. */
export const POST = linkActionRoute({ refused: "/confirm-email?token=refused", done: "/confirm-email/done", act: confirmEmailLink });
