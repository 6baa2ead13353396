// Browser journeys through the gateway: Debian's Chromium driven by playwright-core, axe-core
// on every page (no serious or critical violation), a screenshot of every page, and no
// Content-Security-Policy violation or console error anywhere.
// Run by tests/e2e/test_spa_browser.py, which starts the APIs, the gateway and the accounts.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import axe from "axe-core";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env("SOEMS_E2E_BASE_URL");
const artifacts = process.env.SOEMS_E2E_ARTIFACTS ?? "test-results";
mkdirSync(artifacts, { recursive: true });
const account = (role) => ({
  email: env(`SOEMS_E2E_${role}_EMAIL`),
  password: env(`SOEMS_E2E_${role}_PASSWORD`),
});

const browser = await chromium.launch({
  executablePath: process.env.SOEMS_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const problems = [];
let checked = 0;
let current = null; // the page a journey is on, photographed if the journey fails

async function newPage(who, options = {}, existing = null) {
  const context =
    existing ??
    (await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: "en-US",
      timezoneId: "UTC",
      ...options,
    }));
  const page = await context.newPage();
  current = page;
  page.setDefaultTimeout(15_000);
  page.on("console", (message) => {
    // The browser reports a refused request of the app itself (a 4xx it shows) as an error;
    // those are expected. Anything else, CSP refusals above all, is a defect.
    const text = message.text();
    // A request made while a journey has the browser offline on purpose fails too.
    const offline = /ERR_INTERNET_DISCONNECTED/.test(text);
    if (message.type() === "error" && !/status of (4\d\d)/.test(text) && !offline) {
      problems.push(`${who}: console error: ${text}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`${who}: page error: ${error.message}`));
  return page;
}

/** axe-core on the page as it is now, and a screenshot kept as a test artifact. */
async function check(page, name) {
  // Transitions end first: axe measures an alert still fading in as half transparent (a
  // fresh run failed on color contrast that way). Spinners run forever and are not awaited.
  await page
    .waitForFunction(
      () =>
        document
          .getAnimations()
          .every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity),
      null,
      { timeout: 5_000 },
    )
    .catch(() => {}); // still moving after 5 s: check what is there
  await page.evaluate(axe.source);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }),
  );
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      const where = v.nodes.map((n) => n.target.join(" ")).join("; ");
      problems.push(`${name}: axe ${v.impact} ${v.id}: ${v.help} at ${where}`);
    }
  }
  // From the top: a full-page shot of a scrolled page draws the fixed app bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  checked += 1;
  console.log(`checked ${name}: ${result.violations.length} axe finding(s) of any impact`);
}

/** An MUI menu fades out after a choice; axe would measure its options half transparent. */
async function menuGone(page) {
  await page.locator(".MuiMenu-root").waitFor({ state: "detached" });
}

async function signIn(page, who, { email, password }) {
  await page.goto(`${base}/`);
  await page.getByRole("heading", { name: "Sign in to SOEMS" }).waitFor();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to SOEMS" }).waitFor();
}

async function admin() {
  const page = await newPage("admin");
  await page.goto(`${base}/admin/users`); // signed out: sent to sign-in
  await page.getByRole("heading", { name: "Sign in to SOEMS" }).waitFor();
  await check(page, "01-sign-in");
  await page.getByLabel("Email").fill(account("ADMIN").email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("wrong email or password").waitFor();
  await check(page, "02-sign-in-refused");

  await signIn(page, "admin", account("ADMIN"));
  await page.getByRole("heading", { name: "Users" }).waitFor();
  await page.getByRole("table", { name: "Users" }).waitFor();
  await check(page, "03-admin-users");

  // Find the account to promote and make it a proctor.
  const promote = env("SOEMS_E2E_PROMOTE_EMAIL");
  await page.getByLabel("Search by name or email").fill(promote);
  const row = page.getByRole("row").filter({ hasText: promote });
  await row.waitFor();
  await row.getByRole("combobox").click();
  await page.getByRole("option", { name: "proctor" }).click();
  await menuGone(page);
  await page.getByText("is now proctor").waitFor();
  await check(page, "04-admin-role-changed");

  // Create a teacher from the dialog; a server refusal shows next to its field first.
  await page.getByRole("button", { name: "Create user" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a user" });
  await dialog.getByLabel("Name").fill("Tess Teacher");
  await dialog.getByLabel("Email").fill("not-an-email");
  await dialog.getByLabel("Initial password").fill("correct horse battery staple");
  await dialog.getByRole("button", { name: "Create" }).click();
  await dialog
    .locator("#\\:r0\\:-helper-text, .MuiFormHelperText-root.Mui-error")
    .first()
    .waitFor();
  await check(page, "05-admin-create-user-refused");
  const made = {
    email: `tess-${Date.now()}@example.edu`,
    password: "correct horse battery staple",
  };
  await dialog.getByLabel("Email").fill(made.email);
  await dialog.getByRole("combobox", { name: "Role" }).click();
  await page.getByRole("option", { name: "teacher" }).click();
  await menuGone(page);
  await dialog.getByRole("button", { name: "Create" }).click();
  await page.getByText("can now sign in as teacher").waitFor();
  const students = await importAccounts(page);
  await adminGroups(page, students);
  await signOut(page);
  return made;
}

/** The admin imports students from a CSV with one bad row, sees that row's problem, fixes the
 * file and imports it all; the new accounts show in the list. Returns their emails. */
async function importAccounts(page) {
  const tag = `imported-${Date.now()}`;
  const emails = [1, 2, 3].map((n) => `${tag}-${n}@example.edu`);
  const file = (second) => ({
    name: "students.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      [
        "email,name,role,password",
        `${emails[0]},Imported One,student,correct horse one`,
        `${second},Imported Two,student,correct horse two`,
        `${emails[2]},Imported Three,,correct horse three`,
      ].join("\r\n"),
    ),
  });
  await page.getByRole("button", { name: "Import accounts (CSV)" }).click();
  const dialog = page.getByRole("dialog", { name: "Import accounts (CSV)" });
  await check(page, "05b-admin-import-accounts");
  const [template] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("button", { name: /^Download a template/ }).click(),
  ]);
  if (!template.suggestedFilename().endsWith(".csv")) {
    problems.push(`admin: the accounts template downloads as ${template.suggestedFilename()}`);
  }
  await dialog.getByLabel("CSV file of accounts").setInputFiles(file(`${tag}-2.example.edu`));
  await dialog.getByText("2 ready, 1 with problems").waitFor();
  const bad = dialog.getByRole("row").filter({ hasText: `${tag}-2.example.edu` });
  await bad.getByText("email:").waitFor();
  if ((await bad.getByRole("cell").first().innerText()) !== "3") {
    problems.push("admin: the bad row of the accounts file is not reported as row 3");
  }
  if (!(await dialog.getByRole("button", { name: "Import all" }).isDisabled())) {
    problems.push("admin: Import all is enabled for an accounts file with a bad row");
  }
  await check(page, "05c-admin-import-accounts-preview");
  await dialog.getByLabel("CSV file of accounts").setInputFiles(file(emails[1]));
  await dialog.getByText("3 ready, 0 with problems").waitFor();
  await dialog.getByRole("button", { name: "Import all" }).click();
  await page.getByText("3 accounts created.").waitFor();
  await dialog.waitFor({ state: "detached" });
  await page.getByLabel("Search by name or email").fill(tag);
  for (let i = 0; i < 20 && (await page.getByRole("row").filter({ hasText: tag }).count()) < 3;) {
    i += 1;
    await page.waitForTimeout(500);
    await page.getByLabel("Search by name or email").fill(i % 2 ? `${tag}-` : tag); // read again
  }
  await page.getByRole("row").filter({ hasText: emails[2] }).waitFor();
  await check(page, "05d-admin-accounts-imported");
  return emails;
}

/** The admin makes a group of the imported students (a mistyped email is refused first, by
 * name), opens it and takes one student out. */
async function adminGroups(page, students) {
  const name = `Journey group ${Date.now()}`;
  await page.getByRole("link", { name: "Groups" }).click();
  await page.getByRole("heading", { name: "Groups" }).waitFor();
  await page.locator('table[aria-label="Groups"], [role="status"]').first().waitFor();
  await check(page, "05e-admin-groups");
  await page.getByRole("button", { name: "New group" }).click();
  const dialog = page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Name").fill(name);
  const emails = dialog.getByLabel("Student emails (one per line)");
  const typo = students[1].replace("@", "@@");
  await emails.fill([students[0], typo, students[2]].join("\n"));
  await dialog.getByRole("button", { name: "Create the group" }).click();
  await dialog.locator("#group-emails-helper-text.Mui-error").waitFor();
  await check(page, "05f-admin-group-refused");
  await emails.fill(students.join("\n"));
  await dialog.getByRole("button", { name: "Create the group" }).click();
  await page.getByText(`${name} is made, with 3 students.`).waitFor();
  const created = page.getByRole("row").filter({ hasText: name });
  await created.getByRole("cell", { name: "3", exact: true }).waitFor();
  await check(page, "05g-admin-group-created");
  await page.getByRole("link", { name: `Manage ${name}` }).click();
  await page.getByRole("heading", { name }).waitFor();
  const members = page.getByRole("table", { name: "Students of the group" });
  await members.getByText(students[2]).waitFor({ timeout: 30_000 }); // the read model follows
  await page.getByRole("button", { name: "Remove Imported Two from the group" }).click();
  await page.getByRole("heading", { name: "Students (2)" }).waitFor();
  await members.getByText(students[1]).waitFor({ state: "detached" });
  await check(page, "05h-admin-group");
}

/** The teacher the admin made signs in with the password the admin gave: their dashboard is
 * empty, and their groups page (teachers keep their own groups) is reachable and accessible. */
async function madeTeacher(made) {
  const page = await newPage("teacher made by the admin");
  await signIn(page, "teacher", made);
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByText("Tess Teacher").waitFor(); // the name the admin gave, in the top bar
  await page.getByText("No drafts. Start one with New exam.").waitFor();
  await check(page, "05i-new-teacher-dashboard");
  await page.getByRole("link", { name: "Groups" }).click();
  await page.getByRole("heading", { name: "Groups" }).waitFor();
  await page.locator('table[aria-label="Groups"], [role="status"]').first().waitFor();
  await check(page, "05j-teacher-groups");
  await signOut(page);
}

function tomorrowAt(hour) {
  const d = new Date(Date.now() + 24 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

async function teacher(title) {
  // Drafted as "<title> (draft)", renamed to the title in the editor.
  const page = await newPage("teacher");
  await signIn(page, "teacher", account("TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await check(page, "06-teacher-dashboard");

  await page.getByRole("link", { name: "New exam" }).click();
  await page.getByRole("heading", { name: "Step 1 of 4: Details" }).waitFor();
  const create = page.getByRole("button", { name: "Create the draft and continue" });
  await create.click(); // no title: refused at the field
  await page.locator("#wizard-title-helper-text").waitFor();
  await check(page, "07-teacher-new-exam-refused");
  await page.getByLabel("Title").fill(`${title} (draft)`);
  await page.getByLabel("Duration (minutes)").fill("45");
  await page.getByLabel("Window opens").fill(tomorrowAt(9));
  await page.getByLabel("Window closes").fill(tomorrowAt(11));
  await create.click();
  await page.getByRole("heading", { name: "Step 2 of 4: Questions and pools" }).waitFor();
  // The new draft's address replaces /new: a reload or a shared link opens it.
  await page.waitForURL(/\/teacher\/exams\/(?!new)[^/]+$/);
  await page.getByRole("link", { name: "Back to your exams" }).click();
  const drafts = page.getByRole("region", { name: /Drafts/ });
  await drafts.getByText(`${title} (draft)`).waitFor();
  await check(page, "08-teacher-draft-created");

  // Edit the draft in the wizard (sent with If-Match: the version it read).
  await page.getByRole("link", { name: `Edit ${title} (draft)` }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.getByRole("heading", { name: "Step 2 of 4: Questions and pools" }).waitFor();
  await page.getByRole("link", { name: "Back to your exams" }).click();
  await drafts.getByText(title, { exact: true }).waitFor({ timeout: 30_000 });

  // A draft without questions or students cannot be published: every problem is listed.
  await page.getByRole("button", { name: `Publish ${title}` }).click();
  await page.getByText("This exam cannot be published yet").waitFor();
  await check(page, "09-teacher-publish-refused");

  // The exam made ready for this journey (questions and students, set through the API).
  const ready = env("SOEMS_E2E_READY_EXAM");
  await page.getByRole("button", { name: `Publish ${ready}` }).click();
  await page
    .getByRole("region", { name: /Upcoming/ })
    .getByText(ready)
    .waitFor();
  await page.getByText("is published").waitFor();
  await check(page, "10-teacher-published");
  await signOut(page);
}

/** Rows of the bank's table that contain `text`, polled: the read model follows the command. */
async function bankShows(page, tagFilter, texts) {
  const field = page.getByLabel("Tags (comma separated)");
  for (let i = 0; i < 30; i += 1) {
    await field.fill("");
    await field.fill(tagFilter);
    await page.waitForTimeout(700); // the search waits for the typing to settle
    await page.locator('table[aria-busy="false"], [role="status"]').first().waitFor();
    const found = await Promise.all(
      texts.map((t) => page.getByRole("row").filter({ hasText: t }).count()),
    );
    if (found.every((n) => n === 1)) return;
  }
  throw new Error(`the bank does not show ${texts.join(", ")} under the tag ${tagFilter}`);
}

async function chooseType(page, label) {
  // Under load the menu may close before its option is clicked (measured: the option was
  // detached and never came back): open it again rather than wait out the timeout, and go on
  // only once the field shows the type chosen.
  const field = page.getByRole("combobox", { name: "Type" });
  for (let attempt = 1; ; attempt += 1) {
    await field.click();
    try {
      await page.getByRole("option", { name: label, exact: true }).click({ timeout: 5_000 });
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press("Escape");
    }
    await menuGone(page);
    if ((await field.innerText()).trim() === label) return;
    if (attempt === 3) throw new Error(`the type stays ${await field.innerText()}, not ${label}`);
  }
}

async function questionBank() {
  const stamp = Date.now();
  const tag = `journey-${stamp}`;
  const page = await newPage("teacher (bank)");
  await signIn(page, "teacher", account("TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("link", { name: "Question bank" }).click();
  await page.getByRole("heading", { name: "Question bank" }).waitFor();
  await page.locator('table[aria-label="Questions"], [role="status"]').first().waitFor();
  await check(page, "11-teacher-question-bank");

  // A question without text is refused; the message shows under the field it names.
  await page.getByRole("link", { name: "New question" }).click();
  await page.getByRole("heading", { name: "New question" }).waitFor();
  await page.getByRole("button", { name: "Save question" }).click();
  await page.locator("#q-stem-helper-text").waitFor();
  await page.locator("#q-choice\\.options-helper-text").waitFor(); // no correct option
  await check(page, "12-question-editor-refused");

  // Single choice: the preview beside the form shows the options, never the key.
  await page.getByLabel("Question text").fill(`Which planet is the largest? (${stamp})`);
  await page.getByLabel("Option 1", { exact: true }).fill("Jupiter");
  await page.getByLabel("Option 2", { exact: true }).fill("Mars");
  await page.getByLabel("Option 1 is correct").check();
  await page.getByLabel("Feedback for option 1 (after marking)").fill("Right: a gas giant.");
  await page.getByLabel("Tags (comma separated)").fill(`${tag}, planets`);
  const preview = page.getByTestId("student-preview");
  await preview.getByText("Jupiter").waitFor();
  if (/correct|gas giant/i.test(await preview.innerText())) {
    problems.push("bank: the student view shows the answer key or feedback");
  }
  await check(page, "13-question-editor-single-choice");
  await page.getByRole("button", { name: "Save question" }).click();
  await page.getByRole("heading", { name: "Question bank" }).waitFor();
  await page.getByText("The question is saved in your bank.").waitFor();

  // Multiple choice, scored per option with a penalty for each wrong pick: the student view
  // asks for every answer that applies, and shows neither the key nor the penalty's working.
  await page.getByRole("link", { name: "New question" }).click();
  await chooseType(page, "Multiple choice");
  await page.getByLabel("Question text").fill(`Which of these numbers are even? (${stamp})`);
  await page.getByRole("button", { name: "Add option" }).click();
  await page.getByLabel("Option 1", { exact: true }).fill("2");
  await page.getByLabel("Option 2", { exact: true }).fill("3");
  await page.getByLabel("Option 3", { exact: true }).fill("4");
  await page.getByLabel("Option 1 is correct").check();
  await page.getByLabel("Option 3 is correct").check();
  if (!(await page.getByLabel("Option 1 is correct").isChecked())) {
    problems.push("bank: a second correct option unticked the first in a multiple choice");
  }
  await page.getByLabel("Feedback for option 2 (after marking)").fill("Odd: 3 = 2 + 1.");
  await selectOption(page, "Scoring", "Per option, with a penalty");
  await page.getByLabel(/^Penalty per wrong pick/).fill("0.25");
  await page.getByLabel("Tags (comma separated)").fill(tag);
  await preview.getByText("Choose every answer that applies.").waitFor();
  await preview.getByText("4", { exact: true }).waitFor();
  if (/correct|odd|penalty|0\.25/i.test(await preview.innerText())) {
    problems.push("bank: the student view of a multiple choice shows its key or scoring");
  }
  await check(page, "13b-question-editor-multiple-choice");
  await page.getByRole("button", { name: "Save question" }).click();
  await page.getByText("The question is saved in your bank.").waitFor();

  // True / false: the student view offers both, never which is right.
  await page.getByRole("link", { name: "New question" }).click();
  await chooseType(page, "True / false");
  await page.getByLabel("Question text").fill(`The Moon orbits the Earth. (${stamp})`);
  await page.getByRole("radio", { name: "False" }).check();
  await page.getByRole("radio", { name: "True" }).check();
  await page.getByLabel("Tags (comma separated)").fill(tag);
  await preview.getByText("The Moon orbits the Earth.", { exact: false }).waitFor();
  const choices = await preview.getByRole("listitem").allInnerTexts();
  if (choices.join("|") !== "True|False") {
    problems.push(`bank: the true/false student view offers ${choices.join(", ")}`);
  }
  if (/correct|answer key|statement is/i.test(await preview.innerText())) {
    problems.push("bank: the student view of a true/false shows its key");
  }
  await check(page, "13c-question-editor-true-false");
  await page.getByRole("button", { name: "Save question" }).click();
  await page.getByText("The question is saved in your bank.").waitFor();

  // Short answer.
  await page.getByRole("link", { name: "New question" }).click();
  await chooseType(page, "Short answer");
  await page.getByLabel("Question text").fill(`What is the capital of France? (${stamp})`);
  await page.getByLabel("Accepted answer 1", { exact: true }).fill("Paris");
  await page.getByLabel("Tags (comma separated)").fill(tag);
  await check(page, "14-question-editor-short-answer");
  await page.getByRole("button", { name: "Save question" }).click();
  await page.getByText("The question is saved in your bank.").waitFor();

  // Long answer with a rubric: the criteria show to students, the model answer never.
  await page.getByRole("link", { name: "New question" }).click();
  await chooseType(page, "Long answer");
  await page.getByLabel("Question text").fill(`Explain why the sky is blue. (${stamp})`);
  await page.getByLabel("Model answer (markers only)").fill("Rayleigh scattering.");
  await page.getByLabel("Word limit").fill("200");
  await page.getByRole("button", { name: "Add criterion" }).click();
  await page.getByLabel("Criterion 1", { exact: true }).fill("Physics is right");
  await page.getByLabel("Tags (comma separated)").fill(tag);
  await preview.getByText("At most 200 words.").waitFor();
  if ((await preview.innerText()).includes("Rayleigh")) {
    problems.push("bank: the student view shows the model answer");
  }
  await check(page, "15-question-editor-long-answer");
  await page.getByRole("button", { name: "Save question" }).click();
  await page.getByText("The question is saved in your bank.").waitFor();

  // Coding: the sample test shows to students, the hidden one never.
  await page.getByRole("link", { name: "New question" }).click();
  await chooseType(page, "Coding");
  await page.getByLabel("Question text").fill(`Print the sum of two numbers. (${stamp})`);
  await page.getByLabel("Starter code").fill("a, b = map(int, input().split())\n");
  await page.getByRole("button", { name: "Add sample test" }).click();
  await page.getByLabel("Sample test 1 input").fill("1 2");
  await page.getByLabel("Sample test 1 expected output").fill("3");
  await page.getByLabel("Hidden test 1 input").fill("40 2");
  await page.getByLabel("Hidden test 1 expected output").fill("42-hidden");
  await page.getByLabel("Tags (comma separated)").fill(tag);
  await preview.getByText("Example 1").waitFor();
  if ((await preview.innerText()).includes("42-hidden")) {
    problems.push("bank: the student view shows a hidden test");
  }
  await check(page, "16-question-editor-coding");
  await page.getByRole("button", { name: "Save question" }).click();
  await page.getByText("The question is saved in your bank.").waitFor();

  // All six are in the bank under their tag; the word search finds one of them.
  await bankShows(page, tag, [
    "Which planet",
    "numbers are even",
    "Moon orbits",
    "capital of France",
    "sky is blue",
    "sum of two",
  ]);
  // What the search found is exported as a QTI 3.0 package; what QTI cannot hold (the coding
  // question's tests) is listed, not dropped silently.
  const [exported] = await Promise.all([
    page.waitForEvent("download"),
    (async () => {
      await page.getByRole("button", { name: "Export 6 found" }).click();
      await page.getByRole("menuitem", { name: "QTI 3.0 package" }).click();
    })(),
  ]);
  if (exported.suggestedFilename() !== "soems-questions-qti30.zip") {
    problems.push(`bank: the export downloads as ${exported.suggestedFilename()}`);
  }
  await page.getByText("Parts the format cannot hold were left out").waitFor();
  await check(page, "17a-question-bank-exported");
  await page
    .getByRole("alert")
    .filter({ hasText: "Parts the format" })
    .getByRole("button", { name: "Close" })
    .click();
  // The multiple choice kept its scoring: reopened, it is per option with its penalty.
  await page.getByRole("link", { name: /^Edit: Which of these numbers/ }).click();
  await page.getByRole("heading", { name: "Edit question" }).waitFor();
  const scoring = await page.getByRole("combobox", { name: "Scoring" }).innerText();
  const penalty = await page.getByLabel(/^Penalty per wrong pick/).inputValue();
  if (scoring !== "Per option, with a penalty" || penalty !== "0.25") {
    problems.push(`bank: the multiple choice came back as ${scoring}, penalty ${penalty}`);
  }
  await page.getByRole("link", { name: "Back to the bank" }).first().click();
  await page.getByRole("heading", { name: "Question bank" }).waitFor();
  await page.getByLabel("Search questions").fill("planet");
  await page
    .getByRole("row")
    .filter({ hasText: "capital of France" })
    .waitFor({ state: "detached" });
  await page.getByRole("row").filter({ hasText: "Which planet" }).waitFor();
  await check(page, "17-question-bank-search");

  // Edit it (If-Match with the version read): a new revision.
  await page.getByRole("link", { name: /^Edit: Which planet/ }).click();
  await page.getByRole("heading", { name: "Edit question" }).waitFor();
  await page.getByText("Revision 1", { exact: true }).waitFor();
  await page.getByLabel("Option 2", { exact: true }).fill("Saturn");
  await page.getByRole("button", { name: "Save a new revision" }).click();
  await page.getByText("Revision 2", { exact: true }).waitFor();
  await check(page, "18-question-editor-revised");

  // Import a CSV with one bad row: the preview names its row, column and problem, and nothing
  // can be imported whole; the teacher fixes the file, chooses it again and imports every row.
  await page.getByRole("link", { name: "Back to the bank" }).first().click();
  await page.getByRole("link", { name: "Import questions" }).click();
  await page.getByRole("heading", { name: "Import questions" }).waitFor();
  await check(page, "19-question-import");
  // The CSV template downloads as a file (a blob: link, allowed by the SPA's CSP).
  const [template] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download the CSV template" }).click(),
  ]);
  if (!template.suggestedFilename().endsWith(".csv")) {
    problems.push(`bank: the template downloads as ${template.suggestedFilename()}`);
  }
  const imported = `imported-${stamp}`;
  const csv = (key) => ({
    name: "questions.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      [
        "type,stem,options,correct,tags",
        `single_choice,Imported: which is a prime? (${stamp}),4|7|9,B,${imported}`,
        `true_false,Imported: water boils at 100 C at sea level (${stamp}),,true,${imported}`,
        `single_choice,Imported: is this row fixed? (${stamp}),yes|no,${key},${imported}`,
      ].join("\r\n"),
    ),
  });
  const fileInput = page.locator('input[type="file"]');
  await fileInput.setInputFiles(csv("Z"));
  await page.getByText("2 ready, 1 with problems").waitFor();
  const rows = page.getByRole("table", { name: "Rows of the file" });
  const bad = rows.getByRole("row").filter({ hasText: "is this row fixed?" });
  await bad.getByText("correct:").waitFor();
  await bad.getByText(/'Z' is not one of the 2 options/).waitFor();
  if ((await bad.getByRole("cell").first().innerText()) !== "4") {
    problems.push("bank: the bad row of the questions file is not reported as row 4");
  }
  if (!(await page.getByRole("button", { name: "Import all" }).isDisabled())) {
    problems.push("bank: Import all is enabled for a file with a bad row");
  }
  await check(page, "20-question-import-preview");
  await fileInput.setInputFiles(csv("A")); // the same file, fixed
  await page.getByText("3 ready, 0 with problems").waitFor();
  await rows.getByText("correct:").waitFor({ state: "detached" });
  await check(page, "20b-question-import-fixed");
  await page.getByRole("button", { name: "Import all" }).click();
  await page.getByText("Imported 3 questions.").waitFor();
  await check(page, "21-question-imported");
  await page.getByRole("link", { name: "See them in the bank" }).click();
  await page.getByRole("heading", { name: "Question bank" }).waitFor();
  await bankShows(page, imported, ["which is a prime", "water boils", "is this row fixed?"]);
  await signOut(page);
}

/** A real PNG, `size` pixels square, in two colours (an image the preview visibly shows). */
function png(size = 96) {
  const chunk = (kind, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(kind, 4, "latin1");
    data.copy(out, 8);
    out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(kind, "latin1"), data])), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const rows = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + 3 * size);
    for (let x = 0; x < size; x += 1) {
      row.set(x + y < size ? [25, 118, 210] : [255, 193, 7], 1 + 3 * x);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Choose `label` in the MUI select named `name`. */
async function selectOption(page, name, label) {
  await page.getByRole("combobox", { name }).click();
  await page.getByRole("option", { name: label, exact: true }).click();
  await menuGone(page);
}

/** The bank's actions on one question: an image uploaded into it, described, and seen in the
 * student view, a refused share, archive then restore, an edit and its history, revision 1
 * restored, a copy. */
async function bankActions() {
  const stamp = Date.now();
  const tag = `actions-${stamp}`;
  const stem = `Which colour is in the top left corner? (${stamp})`;
  const page = await newPage("teacher (bank actions)");
  await signIn(page, "teacher", account("TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("link", { name: "Question bank" }).click();
  await page.getByRole("link", { name: "New question" }).click();
  await page.getByRole("heading", { name: "New question" }).waitFor();
  await page.getByLabel("Question text").fill(stem);
  await page.getByLabel("Option 1", { exact: true }).fill("Blue");
  await page.getByLabel("Option 2", { exact: true }).fill("Yellow");
  await page.getByLabel("Option 1 is correct").check();
  await page.getByLabel("Tags (comma separated)").fill(tag);

  // The image goes straight to the object store (through the gateway), then shows.
  await page.locator("#q-media-file").setInputFiles({
    name: "corner.png",
    mimeType: "image/png",
    buffer: png(),
  });
  const preview = page.getByTestId("student-preview");
  await preview.getByRole("img", { name: "corner.png" }).waitFor({ timeout: 30_000 });
  // Its text alternative is what a screen reader says of it, in the student view too.
  const alt = "A square image, blue in the top left corner";
  await page.getByLabel("Text alternative for file 1").fill(alt);
  const shown = await preview
    .getByRole("img", { name: alt })
    .evaluate((img) => img.complete && img.naturalWidth);
  if (shown !== 96) problems.push(`bank actions: the preview's image did not load (${shown})`);
  await check(page, "bank-01-editor-image");
  await page.getByRole("button", { name: "Save question" }).click();
  await page.getByText("The question is saved in your bank.").waitFor();

  // Archive: the row leaves the bank; the archived ones are one filter away; restore.
  await bankShows(page, tag, ["top left corner"]);
  await page.getByRole("button", { name: /^Archive: Which colour/ }).click();
  await page.getByText(/^Archived "Which colour/).waitFor();
  await page.getByRole("row").filter({ hasText: "top left corner" }).waitFor({ state: "detached" });
  await selectOption(page, "Status", "Archived");
  await page.getByRole("button", { name: /^Restore: Which colour/ }).waitFor({ timeout: 30_000 });
  await check(page, "bank-02-archived");
  await page.getByRole("button", { name: /^Restore: Which colour/ }).click();
  await page.getByText(/^Restored "Which colour/).waitFor();
  await selectOption(page, "Status", "Active");
  await bankShows(page, tag, ["top left corner"]);

  // Sharing names teachers by email: an account that is not a teacher's is refused by line.
  await page.getByRole("link", { name: /^Edit: Which colour/ }).click();
  await page.getByRole("heading", { name: "Edit question" }).waitFor();
  await page.getByRole("button", { name: /^Share/ }).click();
  const dialog = page.getByRole("dialog", { name: "Share with teachers" });
  await dialog.getByLabel("Teacher emails (one per line)").fill(account("ADMIN").email);
  await dialog.getByRole("button", { name: "Share" }).click();
  await dialog.getByText(/^Entry 1: admin-.* is an admin account, not a teacher's/).waitFor();
  await check(page, "bank-03-share-refused");
  await dialog.getByRole("button", { name: "Close" }).click();
  await dialog.waitFor({ state: "detached" });

  // An edit is a new revision; the history says who changed what, and shows revision 1.
  await page.getByLabel("Question text").fill(`${stem} Look closely.`);
  await page.getByRole("button", { name: "Save a new revision" }).click();
  await page.getByText("Revision 2", { exact: true }).waitFor();
  await page.getByRole("link", { name: "History" }).click();
  await page.getByRole("heading", { name: "History of a question" }).waitFor();
  const newest = page.getByRole("row").filter({ hasText: "2 (current)" });
  await newest.getByText("Question text").waitFor({ timeout: 30_000 });
  await check(page, "bank-04-history");
  await page.getByRole("link", { name: "View revision 1" }).click();
  await page.getByRole("heading", { name: /^Revision 1, as written/ }).waitFor();
  await preview.getByRole("img", { name: alt }).waitFor();
  if ((await page.getByLabel("Question text").inputValue()) !== stem) {
    problems.push("bank actions: revision 1 does not show the text as first written");
  }
  await check(page, "bank-05-revision");

  // Revision 1 comes back as revision 3; the editor opens on it.
  await page.getByRole("button", { name: "Restore this revision" }).click();
  await page.getByText("Revision 1 is back, as revision 3.").waitFor({ timeout: 30_000 });
  await page.getByRole("heading", { name: "Edit question" }).waitFor();
  await page.getByText("Revision 3", { exact: true }).waitFor();
  if ((await page.getByLabel("Question text").inputValue()) !== stem) {
    problems.push("bank actions: the restored revision does not show the text as first written");
  }
  await check(page, "bank-05b-restored");

  // A copy opens in the editor, in this teacher's bank.
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await page.getByText("This is your copy, in your bank").waitFor({ timeout: 30_000 });
  await page.getByText("Revision 1", { exact: true }).waitFor();
  await check(page, "bank-06-copy");
  await signOut(page);
}

/** The exam wizard: one fixed question and a pool (draw 1 of 2) from the bank the journey
 * wrote, settings, the journey's student assigned by email with an accommodation, publish. */
async function wizard(title) {
  const page = await newPage("teacher (wizard)");
  await signIn(page, "teacher", account("TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("link", { name: "New exam" }).click();
  await page.getByRole("heading", { name: "Step 1 of 4: Details" }).waitFor();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Duration (minutes)").fill("30");
  await page.getByLabel("Window opens").fill(tomorrowAt(9));
  await page.getByLabel("Window closes").fill(tomorrowAt(11));
  await check(page, "22-wizard-details");
  await page.getByRole("button", { name: "Create the draft and continue" }).click();
  await page.getByRole("heading", { name: "Step 2 of 4: Questions and pools" }).waitFor();
  // The next step is announced: the focus moves to its heading.
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== "step-heading") problems.push(`wizard: the focus is on ${focused}`);

  // A fixed question found by a word, then a pool of two ticked from the whole bank.
  const search = page.getByLabel("Search the bank");
  await search.fill("planet");
  await page.getByRole("checkbox", { name: /Which planet/ }).check();
  await page.getByRole("button", { name: /^Add as fixed questions/ }).click();
  await search.fill("");
  await page.getByRole("checkbox", { name: /capital of France/ }).check();
  await page.getByRole("checkbox", { name: /sky is blue/ }).check();
  await page.getByRole("button", { name: /^Add as a pool/ }).click();
  const draw = page.getByLabel("Draw (item 2 of section 1)");
  await draw.fill("3"); // more than the pool holds: refused at the field
  await page.getByText("Draw at most 2: the pool has 2 questions.").waitFor();
  await draw.fill("1");
  await page.getByLabel("Points (item 2 of section 1)").fill("2");
  await page.getByLabel("Section 1 title").fill("Part A");
  await page.getByText("Each student gets 2 questions worth 3 points.").waitFor();
  await check(page, "23-wizard-questions");
  await page.getByRole("button", { name: "Save the questions and continue" }).click();
  await page.getByRole("heading", { name: "Step 3 of 4: Schedule and students" }).waitFor();

  // A reload opens the draft again: its questions show by their text, not their ids.
  await page.reload();
  await page.getByRole("heading", { name: "Step 1 of 4: Details" }).waitFor();
  await page.getByRole("tab", { name: /Questions and pools/ }).click();
  await page.getByLabel("Section 1 title").waitFor();
  await page
    .getByRole("region", { name: "Section 1" })
    .getByText(/Which planet/)
    .waitFor();
  await page.getByRole("tab", { name: /Schedule and students/ }).click();
  await page.getByRole("heading", { name: "Step 3 of 4: Schedule and students" }).waitFor();
  await page.getByLabel("Attempts allowed").fill("2");
  await page.getByLabel("Navigation", { exact: true }).selectOption("linear");
  await page.getByLabel("Proctored").check();
  await page.getByLabel("tab switch").check();
  await page.getByRole("button", { name: "Save the settings" }).click();
  await page.getByText("The settings are saved.").waitFor();
  const email = account("STUDENT").email;
  await page.getByLabel("Student emails (one per line)").fill(email);
  await page.getByRole("button", { name: "Assign", exact: true }).click();
  await page.getByText(/^Assigned\./).waitFor();
  const row = page.getByRole("row").filter({ hasText: email }); // the list follows in a moment
  await row.waitFor({ timeout: 30_000 });
  await row.getByRole("button", { name: /^Accommodation for/ }).click();
  const form = page.getByRole("form", { name: /^Accommodation for/ });
  await form.getByLabel("Extra minutes").fill("15");
  await form.getByLabel("Reason (staff only)").fill("Extra time plan");
  await form.getByRole("button", { name: "Save the accommodation" }).click();
  await row.getByText("+15 minutes").waitFor();
  await check(page, "24-wizard-schedule");
  await page.getByRole("button", { name: "Continue to the review" }).click();

  await page.getByRole("heading", { name: "Step 4 of 4: Review and publish" }).waitFor();
  await page.getByText("1 assigned").waitFor();
  await page.getByText(/each student gets 2 questions worth 3 points/).waitFor();
  await check(page, "25-wizard-review");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByText(`"${title}" is published.`).waitFor();
  await page.getByRole("link", { name: `Manage ${title}` }).waitFor();
  await check(page, "25a-teacher-published-from-wizard");

  // Published: only safe changes. The window closes an hour later; the students stay.
  await page.getByRole("link", { name: `Manage ${title}` }).click();
  await page.getByRole("heading", { name: "Close the window later" }).waitFor();
  await page.getByLabel(/^Window closes/).fill(tomorrowAt(12));
  await page.getByRole("button", { name: "Extend the window" }).click();
  await page.getByText("The window is extended.").waitFor();
  await page.getByRole("row").filter({ hasText: email }).getByText("+15 minutes").waitFor();
  await check(page, "25b-exam-manage-published");
  await signOut(page);
}

async function student(title, alsoTitle) {
  // A student elsewhere: windows are shown in the browser's own zone, named.
  const page = await newPage("student", { timezoneId: "Asia/Tokyo" });
  // Keyboard only: the email field has the focus, Tab moves on, Enter submits.
  await page.goto(`${base}/`);
  await page.getByRole("heading", { name: "Sign in to SOEMS" }).waitFor();
  await page.keyboard.type(account("STUDENT").email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(account("STUDENT").password);
  await page.keyboard.press("Tab");
  // Keyboard focus is visible: the focused button carries the focus ring.
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return `${document.activeElement.textContent} ${style.outlineStyle} ${style.outlineWidth}`;
  });
  if (ring !== "Sign in solid 3px") problems.push(`student: no visible focus ring (${ring})`);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "My exams" }).waitFor();
  await page.getByText("Times are shown in your time zone, Asia/Tokyo.").waitFor();
  // The catalogue follows the command within a moment: reload until it shows the exam.
  const shown = async () =>
    (await page.getByText(title).count()) && (await page.getByText(alsoTitle).count());
  for (let i = 0; i < 20 && !(await shown()); i += 1) {
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByRole("heading", { name: "My exams" }).waitFor();
  }
  await page.getByText(title).waitFor();
  await page.getByText(alsoTitle).waitFor(); // the exam the wizard built
  // The window is 09:00-11:00 UTC: 18:00-20:00 in Tokyo.
  await page
    .getByRole("listitem")
    .filter({ hasText: title })
    .getByText(/6:00\sPM GMT\+9, closes .* 8:00\sPM GMT\+9/)
    .waitFor();
  // The wizard gave this student 15 more minutes: they see it (never its reason).
  await page
    .getByRole("listitem")
    .filter({ hasText: alsoTitle })
    .getByText(/minutes \(\d+ plus your extra time\)/)
    .waitFor();
  // ... and the window the teacher extended after publishing: 12:00 UTC, 21:00 in Tokyo.
  await page
    .getByRole("listitem")
    .filter({ hasText: alsoTitle })
    .getByText(/closes .* 9:00\sPM GMT\+9/)
    .waitFor();
  await check(page, "26-student-dashboard");
  await signOut(page);
}

/** Keyboard only: press Tab until ``target`` has the focus (a trap or an unreachable control
 * fails the journey), as a student without a mouse would. */
async function tabTo(page, target, most = 80) {
  for (let n = 0; n < most; n += 1) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`keyboard: ${target} not reached with ${most} presses of Tab`);
}

/** Exam day: the student opens an exam that is open now, starts it, answers each question
 * (every save acknowledged with its time) and flags one. The essay is typed while offline and
 * the tab is closed before the connection comes back: in a new tab, after signing in again,
 * the answer is there and gets saved. Then the student submits. */
async function takeExam(title) {
  let page = await newPage("student (exam)");
  const context = page.context();
  await signIn(page, "student", account("STUDENT"));
  await page.getByRole("heading", { name: "My exams" }).waitFor();
  await page.getByRole("link", { name: `Go to the exam: ${title}` }).click();
  await page.getByRole("heading", { name: title }).waitFor();
  await page.getByText("No notes. Work alone.").waitFor();
  await check(page, "27-exam-before-start");
  await page.getByRole("button", { name: "Start the exam" }).click();
  await page.getByRole("heading", { name: "Your exam" }).waitFor({ timeout: 30_000 });
  await page
    .getByLabel("Time left")
    .getByText(/^(30:00|29:5\d)$/)
    .waitFor();

  const question = (n) => page.getByRole("region", { name: new RegExp(`^Question ${n} of 3`) });
  const essay = "Gravity bends their paths around it.";
  let essayAt = 0;
  // The order is the attempt's: find each question by its text. Answered with the keyboard
  // alone: Tab to a control, Space to choose, Enter on "Next question".
  const pressSpaceOn = async (control) => {
    await tabTo(page, control);
    await page.keyboard.press("Space");
    if (!(await control.isChecked())) problems.push(`keyboard: Space did not check ${control}`);
  };
  for (let n = 1; n <= 3; n += 1) {
    const here = question(n);
    await here.waitFor();
    const stem = await here.locator("p").first().innerText();
    if (stem.includes("closest")) {
      await pressSpaceOn(here.getByLabel("Mercury"));
      await here.getByText(/^Saved at /).waitFor();
    } else if (stem.includes("gas giants")) {
      await pressSpaceOn(here.getByLabel("Jupiter"));
      await here.getByText(/^Saved at /).waitFor();
      await pressSpaceOn(here.getByLabel("Saturn"));
      await here.getByText(/^Saved at /).waitFor();
      // Flagged here, found flagged in the next tab: the place is kept on the server.
      const kept = page.waitForResponse((r) => r.url().endsWith("/place") && r.ok());
      await pressSpaceOn(here.getByLabel("Flag for review"));
      await kept;
      await check(page, "28-exam-question");
    } else {
      essayAt = n;
    }
    if (n < 3) {
      await tabTo(page, page.getByRole("button", { name: "Next question" }));
      await page.keyboard.press("Enter");
    }
  }

  // Offline: the essay is typed, its save fails, the page says so; then the tab is closed.
  // (Once the service worker controls the page, the page has read the attempt through it.)
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.reload();
  await page.getByRole("heading", { name: "Your exam" }).waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: new RegExp(`^Question ${essayAt}, `) }).click();
  await context.setOffline(true);
  await question(essayAt).getByLabel("Your answer").fill(essay);
  await page.getByText(/^You are offline\./).waitFor();
  await check(page, "28b-exam-offline");
  // Reloaded while offline: the service worker serves the page and the attempt's last
  // reading, and the essay comes back from IndexedDB.
  await page.reload();
  await page.getByRole("heading", { name: "Your exam" }).waitFor({ timeout: 30_000 });
  await page
    .getByRole("navigation", { name: "Questions" })
    .getByRole("button", { name: new RegExp(`^Question ${essayAt}, `) })
    .click();
  if ((await question(essayAt).getByLabel("Your answer").inputValue()) !== essay) {
    problems.push("exam: the answer typed offline was not on the page reloaded offline");
  }
  await check(page, "28c-exam-reloaded-offline");
  await page.close();
  await context.setOffline(false);

  page = await newPage("student (exam, new tab)", {}, context);
  await signIn(page, "student", account("STUDENT"));
  // The dashboard shows the attempt in progress, with the time left and what is saved.
  const card = page.getByRole("listitem").filter({ hasText: title });
  await card.getByText("In progress").waitFor();
  await card.getByText(/^\d+ minutes? left \(until .*\)\. 2 of 3 questions answered\.$/).waitFor();
  await check(page, "29a-student-dashboard-in-progress");
  await card.getByRole("link", { name: `Continue the exam: ${title}` }).click();
  await page.getByRole("heading", { name: "Your exam" }).waitFor({ timeout: 30_000 });
  const questions = page.getByRole("navigation", { name: "Questions" });
  await questions.getByRole("button", { name: new RegExp(`^Question ${essayAt}, `) }).click();
  const back = question(essayAt);
  await back.getByText(/^Saved at /).waitFor();
  if ((await back.getByLabel("Your answer").inputValue()) !== essay) {
    problems.push("exam: the answer typed offline did not come back in the new tab");
  }
  await questions.getByText("3 of 3 answered, 1 flagged").waitFor();
  await back.getByLabel("Flag for review").check();
  await questions
    .getByRole("button", { name: `Question ${essayAt}, answered, flagged for review` })
    .waitFor();
  await questions.getByText("3 of 3 answered, 2 flagged").waitFor();

  // A proctor gives 10 more minutes: the open page's timer shows them within 2 s (the live
  // channel; the page would read again only every 30 s otherwise).
  const attemptId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  const timer = page.getByLabel("Time left");
  await timer.getByText(/^(2\d|30):\d\d$/).waitFor();
  const extendedAt = await extendAsProctor(attemptId, 10);
  await timer.getByText(/^(3\d|40):\d\d$/).waitFor({ timeout: 10_000 });
  const took = Date.now() - extendedAt;
  console.log(`exam: a proctor's extension reached the student's timer in ${took} ms`);
  if (took > 2000) problems.push(`exam: the extension reached the timer after ${took} ms`);

  // Submitted with the keyboard too: the dialog takes the focus and keeps it.
  await tabTo(page, questions.getByRole("button", { name: "Submit the exam" }));
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Submit the exam?" });
  await dialog.getByText(/Every question is answered\. Flagged for review: 2\./).waitFor();
  await check(page, "29-exam-submit-dialog");
  if (!(await dialog.evaluate((el) => el.contains(document.activeElement)))) {
    problems.push("keyboard: the submit dialog opened without the focus");
  }
  await tabTo(page, dialog.getByRole("button", { name: "Submit", exact: true }), 10);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Your exam is submitted" }).waitFor();
  await check(page, "30-exam-submitted");
  await signOut(page);
}

/** The exam's teacher follows it live: who has not started, who is writing, who is done. */
async function examProgress(title) {
  const page = await newPage("teacher (exam progress)");
  await signIn(page, "teacher", account("EXAM_TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("link", { name: `Progress of ${title}` }).click();
  await page.getByRole("heading", { name: `Progress: ${title}` }).waitFor();
  const table = page.getByRole("table", { name: "Students" });
  await table.getByRole("cell", { name: /^Submitted .*$/ }).waitFor();
  await table.getByRole("cell", { name: "3 of 3" }).waitFor();
  // The live channel through the gateway: the page reads again when attempts change.
  await page.getByText(/^Live: updated as students start, save and submit; last read /).waitFor();
  await check(page, "30a-teacher-exam-progress");
  await page.getByLabel("Show").click();
  await page.getByRole("option", { name: "Not started" }).click();
  await table.getByText("No students here.").waitFor();
  await signOut(page);
}

/** The exam's teacher grades the essay of the exam the student took: from the exam's grades,
 * the question's grading view (anonymised), a level per rubric criterion and a feedback. */
async function grading(title) {
  const page = await newPage("teacher (grading)");
  await signIn(page, "teacher", account("EXAM_TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("link", { name: `Grades of ${title}` }).click();
  await page.getByRole("heading", { name: `Grades: ${title}` }).waitFor();
  // The auto-grader has graded the choices; the essay waits (the page reads every 10 s).
  const questions = page.getByRole("table", { name: "Questions" });
  await questions.getByText("1 of 1").waitFor({ timeout: 30_000 });
  await check(page, "30b-teacher-grades");
  await page.getByRole("link", { name: "Grade question 3" }).click();
  await page.getByRole("heading", { name: "Grade a question" }).waitFor();
  await page.getByText("Answer 1 of 1 · 1 still to grade").waitFor();
  await page.getByText("Gravity bends their paths around it.").waitFor();
  await check(page, "30c-teacher-grading");
  await page.getByRole("radio", { name: "Right (2)" }).check();
  await page.getByRole("radio", { name: "Unclear (0)" }).check();
  await page.getByText("Points from the rubric: 1.33 of 2").waitFor();
  await page.getByLabel("Feedback for the student").fill("Name the force and what it does.");
  await page.getByRole("button", { name: "Save and next" }).click();
  await page.getByText("Saved: 1.33 of 2").waitFor();
  await page.getByText("Answer 1 of 1 · 0 still to grade").waitFor();
  await check(page, "30d-teacher-graded");
  // The essay's rubric could be corrected and its rubric grades rescored (a preview here).
  await page.getByRole("heading", { name: "Regrade with a corrected rubric" }).waitFor();
  await page.getByRole("button", { name: "Preview the regrade" }).click();
  await page.getByText("With revision 1, 0 of 1 answers would change.").waitFor();
  await check(page, "30d1-teacher-rubric-regrade-preview");
  // A choice question: its key could be corrected and the answers regraded (a preview here).
  await page.getByRole("link", { name: "Back to the grades" }).click();
  await page.getByRole("link", { name: "Review question 1" }).click();
  await page.getByRole("button", { name: "Preview the regrade" }).click();
  await page.getByText("With revision 1, 0 of 1 answers would change.").waitFor();
  await check(page, "30d2-teacher-regrade-preview");
  await page.getByRole("link", { name: "Back to the grades" }).click();
  await page.getByRole("heading", { name: `Grades: ${title}` }).waitFor();
  await page.getByRole("button", { name: "Publish results to every student" }).click();
  await page.getByText("The results are published.").waitFor();
  await check(page, "30e-teacher-results-published");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download results (CSV)" }).click(),
  ]);
  if (!download.suggestedFilename().startsWith("results-")) {
    problems.push(`results download named ${download.suggestedFilename()}`);
  }
  await page.getByRole("link", { name: "Analytics" }).click();
  await page.getByRole("heading", { name: `Analytics: ${title}` }).waitFor();
  const items = page.getByRole("table", { name: "Item statistics" });
  await items.getByRole("columnheader", { name: "Average time" }).waitFor();
  await page.getByRole("table", { name: "Options of question 1" }).waitFor();
  await check(page, "30e2-teacher-analytics");
  // The student's results over their exams, from their name in the exam's grades.
  await page.getByRole("link", { name: "Back to the grades" }).click();
  await page.getByRole("table", { name: "Attempts" }).getByRole("link").first().click();
  await page.getByRole("heading", { name: /^Progress: / }).waitFor();
  await page.getByRole("table", { name: "Results by exam" }).getByText(title).waitFor();
  await check(page, "30e3-teacher-student-progress");
  await signOut(page);
}

/** The student reads their results: the score on the dashboard, then each question's marks
 * and the teacher's feedback. */
async function studentResults(title) {
  const page = await newPage("student (results)");
  await signIn(page, "student", account("STUDENT"));
  await page.getByRole("heading", { name: "My exams" }).waitFor();
  const marks = page.getByRole("link", { name: `See your marks: ${title}` });
  // The dashboard reads every 30 s; the release is a moment behind the publish.
  for (let tries = 0; !(await marks.isVisible()) && tries < 10; tries += 1) {
    await page.waitForTimeout(1000);
    await page.reload();
    await page.getByRole("heading", { name: "My exams" }).waitFor();
  }
  await page.getByText(/^Your result: 5\.33 of 6 points/).waitFor();
  await check(page, "30f0-student-dashboard-result");
  await marks.click();
  await page.getByRole("heading", { name: `Your results: ${title}` }).waitFor();
  await page.getByText("Name the force and what it does.").waitFor();
  await check(page, "30f-student-results");
  await page.getByRole("link", { name: "My progress" }).click();
  await page.getByRole("heading", { name: "Your progress" }).waitFor();
  await page.getByRole("table", { name: "Results by exam" }).getByText(title).waitFor();
  await check(page, "30f1-student-progress");
  await signOut(page);
}

/** A program judged in the sandbox: the teacher reads each test's outcome under the answer;
 * the student sees the sample test and how many hidden tests passed, and their account page
 * lists the emails the platform sent them. */
async function judgedProgram(title) {
  let page = await newPage("teacher (judged program)");
  await signIn(page, "teacher", account("EXAM_TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("link", { name: `Grades of ${title}` }).click();
  await page.getByRole("heading", { name: `Grades: ${title}` }).waitFor();
  await page.getByRole("link", { name: "Review question 1" }).click();
  await page.getByRole("heading", { name: "Grade a question" }).waitFor();
  const tests = page.getByRole("table", { name: "Tests of Student 1's program" });
  await tests.getByText("Crashed").waitFor();
  await page.getByText("Graded by the judge: 2 of 4 (1 of 2 hidden tests passed)").waitFor();
  await check(page, "30g-teacher-judged-program");
  await signOut(page);

  page = await newPage("student (judged program)");
  await signIn(page, "student", account("CODER"));
  await page.getByRole("heading", { name: "My exams" }).waitFor();
  await page.getByRole("link", { name: `See your marks: ${title}` }).click();
  await page.getByRole("heading", { name: `Your results: ${title}` }).waitFor();
  await page.getByText("Python program, 1 of 2 hidden tests passed.").waitFor();
  await page.getByRole("table", { name: "Tests of your program for question 1" }).waitFor();
  await check(page, "30h-student-judged-program");
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { name: "Your account" }).waitFor();
  const emails = page.getByRole("table", { name: "Emails sent to you" });
  // The results email is sent a moment after the publication (the page reads once).
  for (let tries = 0; !(await emails.getByText("Results published").isVisible()); tries += 1) {
    if (tries === 20) throw new Error("the results email is not in the account's history");
    await page.waitForTimeout(1000);
    await page.reload();
    await page.getByRole("heading", { name: "Your account" }).waitFor();
  }
  await check(page, "30i-student-account");
  await signOut(page);
}

/** A class's essays graded in one sitting: the grading view's "Save and next" through every
 * student's answer (a rubric level per criterion), then the results published to all. */
async function gradeCohort(title, count) {
  const page = await newPage("teacher (a class's essays)");
  await signIn(page, "teacher", account("EXAM_TEACHER"));
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("link", { name: `Grades of ${title}` }).click();
  await page.getByRole("heading", { name: `Grades: ${title}` }).waitFor();
  await page
    .getByRole("table", { name: "Questions" })
    .getByText(`${count} of ${count}`, { exact: true })
    .waitFor();
  await page.getByRole("link", { name: "Grade question 2" }).click();
  await page.getByRole("heading", { name: "Grade a question" }).waitFor();
  const began = Date.now();
  for (let n = 0; n < count; n += 1) {
    await page.getByText(`Answer ${n + 1} of ${count} · ${count - n} still to grade`).waitFor();
    await page.getByRole("radio", { name: n % 3 ? "Clear (2)" : "Vague (1)" }).check();
    await page.getByRole("button", { name: "Save and next" }).click();
  }
  await page.getByText(`Answer ${count} of ${count} · 0 still to grade`).waitFor();
  console.log(`cohort: ${count} essays graded in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  await check(page, "30j-teacher-cohort-graded");
  await page.getByRole("link", { name: "Back to the grades" }).click();
  await page.getByRole("heading", { name: `Grades: ${title}` }).waitFor();
  // Nothing left to grade: the essay's "50 of 50" is gone (the page reads every 10 s, the
  // last grades a moment behind the grading view). Exact: "0 of 50" is inside "50 of 50".
  await page
    .getByRole("table", { name: "Questions" })
    .getByText(`${count} of ${count}`, { exact: true })
    .waitFor({ state: "detached", timeout: 45_000 });
  await page.getByRole("button", { name: "Publish results to every student" }).click();
  await page.getByText("The results are published.").waitFor();
  await check(page, "30k-teacher-cohort-published");
  await signOut(page);
}

/** An analyst finds the class's exam by its title and reads its figures: a cohort's numbers,
 * never a student's name or answers. */
async function analystReads(title, count) {
  const page = await newPage("analyst");
  await signIn(page, "analyst", account("ANALYST"));
  await page.getByRole("heading", { name: "Exams" }).waitFor();
  await page.getByLabel("Search by title").fill(title);
  const link = page.getByRole("link", { name: `Analytics of ${title}` });
  await link.waitFor();
  await check(page, "30l-analyst-exams");
  await link.click();
  await page.getByRole("heading", { name: `Analytics: ${title}` }).waitFor();
  await page.getByText(`Over the ${count} fully graded attempts`).waitFor({ timeout: 30_000 });
  await page.getByRole("table", { name: "Item statistics" }).waitFor();
  await check(page, "30m-analyst-analytics");
  await page.getByRole("link", { name: "Back to the exams" }).click();
  await page.getByRole("heading", { name: "Exams" }).waitFor();
  await signOut(page);
}

/** A proctor (through the API, as the proctoring pages are to come) extends an attempt;
 * answers when the command API accepted it. */
async function extendAsProctor(attemptId, minutes) {
  const json = { "Content-Type": "application/json" };
  const signedIn = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: json,
    body: JSON.stringify(account("PROCTOR")),
  });
  if (!signedIn.ok) throw new Error(`proctor sign-in: ${signedIn.status}`);
  const { access_token: token } = await signedIn.json();
  const extended = await fetch(`${base}/api/v1/attempts/${encodeURIComponent(attemptId)}/extend`, {
    method: "POST",
    headers: { ...json, Authorization: `Bearer ${token}`, "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({ minutes, reason: "the browser journey" }),
  });
  if (!extended.ok) throw new Error(`extend: ${extended.status} ${await extended.text()}`);
  return Date.now();
}

const started = Date.now();
try {
  await madeTeacher(await admin());
  await teacher(`Algebra midterm ${Date.now()}`);
  await questionBank();
  await bankActions();
  const built = `Physics quiz ${Date.now()}`;
  await wizard(built);
  await student(env("SOEMS_E2E_READY_EXAM"), built);
  await takeExam(env("SOEMS_E2E_OPEN_EXAM"));
  await examProgress(env("SOEMS_E2E_OPEN_EXAM"));
  await grading(env("SOEMS_E2E_OPEN_EXAM"));
  await studentResults(env("SOEMS_E2E_OPEN_EXAM"));
  await judgedProgram(env("SOEMS_E2E_JUDGED_EXAM"));
  await gradeCohort(env("SOEMS_E2E_COHORT_EXAM"), Number(env("SOEMS_E2E_COHORT_SIZE")));
  await analystReads(env("SOEMS_E2E_COHORT_EXAM"), Number(env("SOEMS_E2E_COHORT_SIZE")));
} catch (error) {
  problems.push(`journey failed: ${error.stack ?? error}`);
  await current?.screenshot({ path: join(artifacts, "failure.png"), fullPage: true });
} finally {
  await browser.close();
}
for (const problem of problems) console.error(problem);
console.log(
  `${checked} pages checked in ${((Date.now() - started) / 1000).toFixed(1)}s; ` +
    `screenshots in ${artifacts}; ${problems.length} problem(s)`,
);
process.exit(problems.length ? 1 : 0);
