import { z } from "zod";

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

// Passwords that lead every breach list; a real breach corpus is not shipped, so refuse the
// obvious ones and the patterns they follow.
const COMMON = new Set([
  "password", "password1", "password12", "password123", "password1234", "passw0rd", "qwerty", "qwertyuiop",
  "qwerty123", "qwerty1234", "1q2w3e4r5t", "1qaz2wsx3edc", "123456789", "1234567890", "12345678910",
  "0123456789", "abc1234567", "abcdefghij", "iloveyou12", "letmein123", "welcome123", "admin12345",
  "administrator", "changeme123", "football123", "baseball123", "sunshine123", "princess123", "dragon1234",
  "monkey12345", "trustno1234", "superman123", "starwars123", "whatever123", "michael123", "wisehosting",
  "wisehosting1", "wisehosting123", "qazwsxedc123", "asdfghjkl1", "zxcvbnm123", "11111111111", "aaaaaaaaaa",
]);

/** Why a password is refused, in words that say what to do; null when it is acceptable. */
export function passwordProblem(password: string, email = ""): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || COMMON.has(lower.replace(/[^a-z0-9]/g, ""))) {
    return "This password appears in breach lists. Choose something less common, such as a few random words.";
  }
  if (new Set(password).size <= 3) return "Use more than three different characters.";
  if (/^(?:0123456789|1234567890|abcdefghij)+/i.test(password) && new Set(password).size < 11) {
    return "Avoid simple sequences; choose something less predictable.";
  }
  const local = email.split("@")[0]?.toLowerCase() ?? "";
  if (local.length >= 4 && lower.includes(local)) return "Do not use your email address in your password.";
  return null;
}

export const emailSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .pipe(z.email({ error: "Enter a valid email address, like you@example.com." }));

/** Length bounds only; breach-list and pattern checks need the email (see passwordProblem). */
export const passwordSchema = z
  .string({ error: "Enter a password." })
  .min(1, "Enter a password.")
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);
