import { html } from "htl";
import { signIn } from "./api.js";

/** A sign-in form for the admin secret; reloads the page once a token is granted. */
export function signInForm() {
  const message = html`<p class="muted"></p>`;
  const form = html`<form class="sign-in">
    <p>Sign in with the workspace's admin secret (<code>ADMIN_SECRET</code>).</p>
    <input name="secret" type="password" placeholder="Admin secret" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
    ${message}
  </form>`;
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await signIn(form.secret.value);
      location.reload();
    } catch (error) {
      message.textContent = error.message;
    }
  };
  return form;
}
