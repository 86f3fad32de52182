//! Browser tests: Debian's Chromium driven through chromedriver (see `webdriver`).
//!
//! They sign in through the real forms, check that a brand change reaches the portal, and
//! check every main page for structure (one `<h1>`, a title, `lang`, a viewport meta), no
//! sideways scrolling at 390 px, table cells that show what they hold at 1280 and 390 px (none
//! cut off, spilling, outside their table's visible box or squeezed), no console errors, no broken images and no serious or
//! critical axe-core finding (when `PORTICO_AXE_JS` names axe.min.js). Screenshots of each
//! page, at 1280 and 390 px wide, go to `test-artifacts/screenshots/`.
//!
//! Without Chromium or chromedriver each test prints a `SKIPPED` line and passes.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};
use crate::webdriver::{self, Browser};

const PORTAL_ADMIN: &str = "admin@contoso.test";
const STAFF_OWNER: &str = "owner@northwind.test";
const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);
const WAIT: Duration = Duration::from_secs(15);

/// Prints the skip line and returns true when the browser tests cannot run here.
fn skipped(name: &str) -> bool {
    if webdriver::available() {
        return false;
    }
    println!("SKIPPED browser test {name}: chromium/chromedriver not installed");
    true
}

async fn browser() -> Browser {
    Browser::start().await.expect("start Chromium through chromedriver")
}

fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts/screenshots")
}

/// The axe-core source, when `PORTICO_AXE_JS` names a readable file.
fn axe_source() -> Option<String> {
    let path = std::env::var("PORTICO_AXE_JS").ok().filter(|p| !p.is_empty())?;
    std::fs::read_to_string(path).ok()
}

/// Signs in through the sign-in form at `path` (`/` or `/msp`) and waits for a signed-in page.
async fn sign_in(b: &Browser, app: &TestApp, path: &str, email: &str) {
    b.goto(&app.url(path)).await.unwrap();
    let field = b.wait_for("input[name=email]", WAIT).await.unwrap();
    b.clear(field.as_str()).await.unwrap();
    b.type_into(&field, email).await.unwrap();
    let password = b.find("input[name=password]").await.unwrap();
    b.type_into(&password, PASSWORD).await.unwrap();
    let submit = b.find("form button[type=submit]").await.unwrap();
    b.click(&submit).await.unwrap();
    if let Err(e) = b.wait_for(".usermenu", WAIT).await {
        let page = b.execute("return document.body ? document.body.innerText : '';", vec![]).await.unwrap_or_default();
        panic!(
            "sign-in of {email} at {path} did not reach a signed-in page ({e}); at {}:\n{}",
            b.current_url().await.unwrap_or_default(),
            page.as_str().unwrap_or_default()
        );
    }
}

/// Signs out through the user menu and waits for the sign-in page.
async fn sign_out(b: &Browser) {
    let summary = b.find(".usermenu summary").await.unwrap();
    b.click(&summary).await.unwrap();
    let button = b.find(".usermenu .menu form button[type=submit]").await.unwrap();
    b.click(&button).await.unwrap();
    b.wait_for_url(WAIT, |u| u.contains("notice=signed-out")).await.expect("the sign-in page after signing out");
    b.wait_for("input[name=password]", WAIT).await.expect("the sign-in form after signing out");
}

/// Waits until every image has finished loading (or failed), at most a few seconds.
async fn wait_for_images(b: &Browser) {
    for _ in 0..50 {
        let done = b
            .execute("return Array.from(document.images).every(function (i) { return i.complete; });", vec![])
            .await
            .unwrap();
        if done == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A custom property or computed style value, trimmed and lower-cased.
async fn computed(b: &Browser, script: &str) -> String {
    b.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().trim().to_lowercase()
}

async fn brand_var(b: &Browser) -> String {
    computed(b, "return getComputedStyle(document.documentElement).getPropertyValue('--brand');").await
}

async fn primary_button_background(b: &Browser) -> String {
    computed(
        b,
        "var el = document.querySelector('.button.primary'); \
         return el ? getComputedStyle(el).backgroundColor : '';",
    )
    .await
}

/// Saves full-page screenshots of the current page at desktop and phone width.
async fn screenshots(b: &Browser, name: &str) {
    let dir = screenshot_dir();
    b.set_viewport(DESKTOP.0, DESKTOP.1).await.unwrap();
    b.screenshot_full_page(&dir.join(format!("{name}-desktop.png"))).await.unwrap();
    b.set_viewport(PHONE.0, PHONE.1).await.unwrap();
    b.screenshot_full_page(&dir.join(format!("{name}-phone.png"))).await.unwrap();
    b.set_viewport(DESKTOP.0, DESKTOP.1).await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Page quality checks
// ---------------------------------------------------------------------------------------

/// Structure of the current page, measured in the browser.
const STRUCTURE_JS: &str = r#"
var meta = document.querySelector('meta[name="viewport"]');
return {
  h1: document.querySelectorAll('h1').length,
  title: document.title,
  lang: document.documentElement.getAttribute('lang') || '',
  viewport: meta ? (meta.getAttribute('content') || '') : null,
  broken_images: Array.from(document.images)
    .filter(function (i) { return !i.complete || i.naturalWidth === 0; })
    .map(function (i) { return i.currentSrc || i.src || i.outerHTML; })
};
"#;

/// The page's scroll width and, when it is too wide, the elements that stick out.
const OVERFLOW_JS: &str = r#"
var limit = arguments[0];
var width = document.documentElement.scrollWidth;
var culprits = [];
if (width > limit) {
  var all = document.body.querySelectorAll('*');
  for (var i = 0; i < all.length && culprits.length < 8; i++) {
    var r = all[i].getBoundingClientRect();
    if (r.right > limit + 0.5 && r.width > 0) {
      var el = all[i];
      var name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
      culprits.push(name + ' (right edge ' + Math.round(r.right) + 'px)');
    }
  }
}
return { width: width, inner: window.innerWidth, culprits: culprits };
"#;

/// Table cells that do not show what they hold, at the current width. A cell fails when its
/// content is wider than the cell (spilling over its neighbour, or cut off where something
/// hides overflow), when something inside it hides text it cannot fit (an ellipsis), when it
/// sticks out of the visible box of its table's card (on the desktop at all; on a phone
/// unless the card scrolls, which is how a table too wide for a phone is meant to be read),
/// and, on the desktop, when its text is squeezed to about a word a line.
const CELLS_JS: &str = r#"
var desktop = arguments[0];
var found = [];
function name(el) {
  var row = el.closest('tr');
  var t = el.closest('table');
  var label = el.getAttribute('data-label') || (t && t.tHead && row && t.tHead.rows[0] &&
    t.tHead.rows[0].cells[el.cellIndex] ? t.tHead.rows[0].cells[el.cellIndex].innerText.replace(/\s+/g, ' ').trim() : '');
  var text = (el.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  var where = t ? (t.getAttribute('aria-label') || (t.caption ? t.caption.innerText.trim() : '') ||
    t.className) : '';
  return where + ' › ' + el.tagName.toLowerCase() + (label ? '[' + label + ']' : '') + ' "' + text + '"';
}
function hidden(el) {
  for (var e = el; e && e !== document.body; e = e.parentElement) {
    var cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') return true;
    var r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return true;
  }
  return false;
}
var cells = document.querySelectorAll('table th, table td');
for (var i = 0; i < cells.length && found.length < 12; i++) {
  var cell = cells[i];
  if (hidden(cell)) continue;
  var r = cell.getBoundingClientRect();
  if (cell.scrollWidth > cell.clientWidth + 1) {
    found.push(name(cell) + ': content ' + cell.scrollWidth + 'px wide in a ' + cell.clientWidth + 'px cell');
    continue;
  }
  var inner = cell.querySelectorAll('*');
  var cut = null;
  for (var k = 0; k < inner.length; k++) {
    var ir = inner[k].getBoundingClientRect();
    if (ir.width <= 1 || ir.height <= 1) continue; // visually hidden, for screen readers
    var cs = getComputedStyle(inner[k]);
    if (cs.overflowX !== 'visible' && inner[k].scrollWidth > inner[k].clientWidth + 1) { cut = inner[k]; break; }
  }
  if (cut) {
    found.push(name(cell) + ': ' + cut.tagName.toLowerCase() + ' hides ' + (cut.scrollWidth - cut.clientWidth) + 'px of its content');
    continue;
  }
  var wrap = cell.closest('.table-wrap') || cell.closest('table').parentElement;
  var box = wrap.getBoundingClientRect();
  var left = Math.max(box.left, 0), right = Math.min(box.right, window.innerWidth);
  var scrolls = /(auto|scroll)/.test(getComputedStyle(wrap).overflowX);
  if ((desktop || !scrolls) && (r.right > right + 1 || r.left < left - 1)) {
    found.push(name(cell) + ': reaches ' + Math.round(r.left) + '–' + Math.round(r.right) +
      'px, outside its table\'s visible box ' + Math.round(left) + '–' + Math.round(right) + 'px');
    continue;
  }
  if (desktop && cell.tagName === 'TD') {
    // Line boxes per text, so that a name over its e-mail (two blocks) is not "wrapped".
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var words = node.textContent.trim().split(/\s+/).filter(Boolean).length;
      if (words === 0) continue;
      var range = document.createRange();
      range.selectNodeContents(node);
      var tops = {};
      Array.prototype.forEach.call(range.getClientRects(), function (q) { if (q.width > 0) tops[Math.round(q.top)] = 1; });
      var lines = Object.keys(tops).length;
      if (words === 1 && lines >= 2) {
        found.push(name(cell) + ': breaks "' + node.textContent.trim().slice(0, 40) + '" mid-word');
        break;
      }
      if (lines >= 5 || (lines >= 3 && words / lines < 1.6)) {
        found.push(name(cell) + ': ' + words + ' words over ' + lines + ' lines in a ' + Math.round(r.width) + 'px column');
        break;
      }
    }
  }
}
return found;
"#;

/// Runs axe-core (already injected) and hands back the violations.
const AXE_RUN_JS: &str = r#"
var done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
  .then(function (r) {
    done({ violations: r.violations.map(function (v) {
      return { id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(function (n) { return { target: n.target, summary: n.failureSummary }; }) };
    }) });
  })
  .catch(function (e) { done({ error: String(e) }); });
"#;

/// Checks the current page and saves its screenshots; problems are added to `failures`.
struct Checker<'a> {
    b: &'a Browser,
    axe: Option<String>,
    failures: Vec<String>,
    console_checked: bool,
}

impl<'a> Checker<'a> {
    fn new(b: &'a Browser, test: &str) -> Checker<'a> {
        let axe = axe_source();
        if axe.is_none() {
            println!("SKIPPED axe-core part of browser test {test}: set PORTICO_AXE_JS to the path of axe.min.js");
        }
        if !b.has_logs() {
            println!("SKIPPED console-error part of browser test {test}: chromedriver offers no browser log");
        }
        Checker { b, axe, failures: Vec::new(), console_checked: b.has_logs() }
    }

    fn fail(&mut self, page: &str, what: String) {
        println!("FAIL {page}: {what}");
        self.failures.push(format!("{page}: {what}"));
    }

    /// Forgets console entries logged so far (they belong to earlier pages).
    async fn drain_console(&self) {
        let _ = self.b.console_log().await;
    }

    /// Opens `path` (after forgetting earlier console entries) and checks it.
    async fn visit(&mut self, app: &TestApp, path: &str, name: &str) {
        self.drain_console().await;
        self.b.goto(&app.url(path)).await.unwrap();
        self.check(name).await;
    }

    async fn check(&mut self, name: &str) {
        let b = self.b;
        b.set_viewport(DESKTOP.0, DESKTOP.1).await.unwrap();
        wait_for_images(b).await;
        let url = b.current_url().await.unwrap();
        println!("checking {name} ({url})");

        let s = b.execute(STRUCTURE_JS, vec![]).await.unwrap();
        let h1 = s["h1"].as_u64().unwrap_or(0);
        if h1 != 1 {
            self.fail(name, format!("has {h1} <h1> elements, expected exactly one"));
        }
        if s["title"].as_str().unwrap_or_default().trim().is_empty() {
            self.fail(name, "has an empty <title>".into());
        }
        if s["lang"].as_str().unwrap_or_default().trim().is_empty() {
            self.fail(name, "has no <html lang>".into());
        }
        match s["viewport"].as_str() {
            None => self.fail(name, "has no viewport meta".into()),
            Some(c) if !c.contains("width=device-width") => {
                self.fail(name, format!("viewport meta is {c:?}, without width=device-width"))
            }
            Some(_) => {}
        }
        if let Some(broken) = s["broken_images"].as_array().filter(|a| !a.is_empty()) {
            self.fail(name, format!("images did not load: {broken:?}"));
        }

        self.check_cells(name, true).await;
        self.run_axe(name, "desktop").await;
        b.screenshot_full_page(&screenshot_dir().join(format!("{name}-desktop.png"))).await.unwrap();

        b.set_viewport(PHONE.0, PHONE.1).await.unwrap();
        let o = b.execute(OVERFLOW_JS, vec![json!(PHONE.0)]).await.unwrap();
        let width = o["width"].as_u64().unwrap_or(0);
        if o["inner"].as_u64() != Some(u64::from(PHONE.0)) {
            self.fail(name, format!("could not size the viewport to {} px: {o}", PHONE.0));
        } else if width > u64::from(PHONE.0) {
            self.fail(
                name,
                format!("scrolls sideways at {} px: scrollWidth is {width}; sticking out: {}", PHONE.0, o["culprits"]),
            );
        }
        self.check_cells(name, false).await;
        self.run_axe(name, "phone").await;
        b.screenshot_full_page(&screenshot_dir().join(format!("{name}-phone.png"))).await.unwrap();
        b.set_viewport(DESKTOP.0, DESKTOP.1).await.unwrap();

        if self.console_checked {
            let entries = b.console_log().await.unwrap().unwrap_or_default();
            // An error page's own status is logged as a failed load of the document itself:
            // that is the page doing its job, not a fault on it.
            let own_status = format!("{url} - Failed to load resource");
            for e in entries {
                if e.level == "SEVERE" && e.message.starts_with(&own_status) {
                    println!("  (expected) {}", e.message);
                } else if e.level == "SEVERE" {
                    self.fail(name, format!("console error: {}", e.message));
                } else if e.level == "WARNING" {
                    println!("  console warning on {name}: {}", e.message);
                }
            }
        }
    }

    async fn check_cells(&mut self, name: &str, desktop: bool) {
        let width = if desktop { DESKTOP.0 } else { PHONE.0 };
        let found = self.b.execute(CELLS_JS, vec![json!(desktop)]).await.unwrap();
        for problem in found.as_array().cloned().unwrap_or_default() {
            self.fail(name, format!("table cell at {width} px: {}", problem.as_str().unwrap_or_default()));
        }
    }

    async fn run_axe(&mut self, name: &str, width: &str) {
        let Some(source) = self.axe.as_deref() else {
            return;
        };
        let b = self.b;
        let injected = b
            .execute(&format!("{source}\n;return typeof window.axe === 'object' ? 'ok' : typeof window.axe;"), vec![])
            .await
            .unwrap();
        assert_eq!(injected, json!("ok"), "axe-core did not load on {name}");
        let r = b.execute_async(AXE_RUN_JS, vec![]).await.unwrap();
        if let Some(e) = r.get("error") {
            self.fail(name, format!("axe-core failed ({width}): {e}"));
            return;
        }
        for v in r["violations"].as_array().cloned().unwrap_or_default() {
            let impact = v["impact"].as_str().unwrap_or("unknown").to_string();
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .map(|nodes| {
                    nodes
                        .iter()
                        .map(|n| {
                            let t = n["target"].to_string();
                            let why = n["summary"].as_str().unwrap_or_default().replace('\n', " ");
                            format!("{t} — {why}")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let line = format!(
                "axe {} [{impact}] at {width} width: {} — {}",
                v["id"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                targets.join("; ")
            );
            if impact == "serious" || impact == "critical" {
                self.fail(name, line);
            } else {
                println!("  note on {name}: {line}");
            }
        }
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} page check(s) failed:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_admin_signs_in_and_sees_company_and_brand() {
    if skipped("customer_admin_signs_in_and_sees_company_and_brand") {
        return;
    }
    let app = TestApp::spawn().await;
    let b = browser().await;

    b.goto(&app.url("/")).await.unwrap();
    b.wait_for("input[name=email]", WAIT).await.unwrap();
    screenshots(&b, "flow-portal-sign-in").await;

    sign_in(&b, &app, "/", PORTAL_ADMIN).await;
    let url = b.wait_for_url(WAIT, |u| u.ends_with("/dashboard")).await.expect("lands on the dashboard");
    assert_eq!(url, app.url("/dashboard"));

    let context = b.find(".topbar .context strong").await.unwrap();
    assert_eq!(b.text(&context).await.unwrap(), "Contoso Ltd");
    let main = b.find("main").await.unwrap();
    assert!(b.text(&main).await.unwrap().contains("Contoso Ltd"), "the dashboard names the company");

    let logo = b.find(".brand img").await.expect("the MSP's logo in the sidebar");
    let src = b.attribute(&logo, "src").await.unwrap().unwrap_or_default();
    assert!(src.starts_with("/brand/logo"), "logo src is {src}");
    assert_eq!(b.attribute(&logo, "alt").await.unwrap().as_deref(), Some("Northwind IT"));
    wait_for_images(&b).await;
    let natural = b.execute("return document.querySelector('.brand img').naturalWidth;", vec![]).await.unwrap();
    assert!(natural.as_u64().unwrap_or(0) > 0, "the logo loaded (naturalWidth {natural})");

    let title = b.title().await.unwrap();
    assert!(title.contains("Northwind Client Portal"), "title is {title:?}");

    screenshots(&b, "flow-portal-dashboard").await;

    // The user menu opens and stays on screen, also on a phone.
    let summary = b.find(".usermenu summary").await.unwrap();
    b.click(&summary).await.unwrap();
    let menu = b.find(".usermenu .menu").await.unwrap();
    assert!(b.text(&menu).await.unwrap().contains(PORTAL_ADMIN));
    for (w, h) in [DESKTOP, PHONE] {
        b.set_viewport(w, h).await.unwrap();
        let r = b
            .execute(
                "var r = document.querySelector('.usermenu .menu').getBoundingClientRect(); \
                 return [r.left, r.right, document.documentElement.scrollWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (left, right) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        assert!(
            left >= 0.0 && right <= f64::from(w) && r[2].as_u64() <= Some(u64::from(w)),
            "the open user menu sticks out at {w} px: {r}"
        );
    }
    screenshots(&b, "flow-portal-user-menu").await;
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brand_colour_set_in_console_reaches_the_portal() {
    if skipped("brand_colour_set_in_console_reaches_the_portal") {
        return;
    }
    let app = TestApp::spawn().await;
    let b = browser().await;

    // Before: the demo brand colour.
    b.goto(&app.url("/")).await.unwrap();
    assert_eq!(brand_var(&b).await, "#0f766e");

    sign_in(&b, &app, "/msp", STAFF_OWNER).await;
    b.goto(&app.url("/msp/branding")).await.unwrap();
    let input = b.wait_for("#f-primary_color", WAIT).await.unwrap();
    b.clear(&input).await.unwrap();
    b.type_into(&input, "#7c3aed").await.unwrap();
    let save = b.find_by("xpath", "//button[normalize-space()='Save branding']").await.unwrap();
    b.click(&save).await.unwrap();
    let notice = b.wait_for(".notice", WAIT).await.expect("a saved notice");
    println!("after saving: {}", b.text(&notice).await.unwrap());
    let input = b.find("#f-primary_color").await.unwrap();
    assert_eq!(b.property(&input, "value").await.unwrap(), json!("#7c3aed"));
    assert_eq!(brand_var(&b).await, "#7c3aed", "the console itself uses the new colour");
    screenshots(&b, "flow-console-branding-saved").await;

    sign_out(&b).await;

    // The customer sees the new colour, from the sign-in page on.
    b.goto(&app.url("/")).await.unwrap();
    b.wait_for("input[name=email]", WAIT).await.unwrap();
    assert_eq!(brand_var(&b).await, "#7c3aed", "the portal sign-in page");
    assert_eq!(primary_button_background(&b).await, "rgb(124, 58, 237)");
    screenshots(&b, "flow-portal-sign-in-rebranded").await;

    sign_in(&b, &app, "/", PORTAL_ADMIN).await;
    assert_eq!(brand_var(&b).await, "#7c3aed", "the portal dashboard");
    let avatar = computed(&b, "return getComputedStyle(document.querySelector('.avatar')).backgroundColor;").await;
    assert_eq!(avatar, "rgb(124, 58, 237)");
    screenshots(&b, "flow-portal-dashboard-rebranded").await;

    b.goto(&app.url("/company/users")).await.unwrap();
    b.wait_for(".button.primary", WAIT).await.unwrap();
    assert_eq!(brand_var(&b).await, "#7c3aed", "the portal users page");
    assert_eq!(primary_button_background(&b).await, "rgb(124, 58, 237)");
    let current = computed(
        &b,
        "return getComputedStyle(document.querySelector('.sidebar nav a[aria-current=page]')).backgroundColor;",
    )
    .await;
    assert_eq!(current, "rgb(124, 58, 237)", "the current navigation item");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_pages_pass_quality_checks() {
    let name = "portal_pages_pass_quality_checks";
    if skipped(name) {
        return;
    }
    let app = TestApp::spawn().await;
    let b = browser().await;
    let mut c = Checker::new(&b, name);

    c.visit(&app, "/forgot-password", "portal-forgot-password").await;
    c.visit(&app, "/", "portal-sign-in").await;
    c.drain_console().await;
    sign_in(&b, &app, "/", PORTAL_ADMIN).await;
    c.check("portal-dashboard").await;
    c.visit(&app, "/company/users", "portal-company-users").await;
    c.visit(&app, "/users", "portal-users").await;
    c.visit(&app, "/users?q=sales&status=enabled&sort=last_sign_in", "portal-users-filtered").await;
    let person = b.find("table.table tbody td.person a").await.unwrap();
    b.click(&person).await.unwrap();
    b.wait_for("dl.facts", WAIT).await.unwrap();
    c.check("portal-user").await;
    c.visit(&app, "/groups", "portal-groups").await;
    c.visit(&app, "/groups?kind=distribution&sort=members&dir=desc", "portal-groups-filtered").await;
    c.visit(&app, "/licenses", "portal-licenses").await;
    let product = b.find("table.licenses tbody td.product a").await.unwrap();
    b.click(&product).await.unwrap();
    b.wait_for("h2#holders-h", WAIT).await.unwrap();
    c.check("portal-license").await;
    c.visit(&app, "/licenses/unused", "portal-licenses-unused").await;
    c.visit(&app, "/security", "portal-security").await;
    c.visit(&app, "/service-health", "portal-service-health").await;
    c.visit(&app, "/tickets", "portal-tickets").await;
    c.visit(&app, "/tickets/new", "portal-ticket-new").await;
    c.visit(&app, "/tickets?state=", "portal-tickets-all").await;
    let first = b.find("table.table tbody a").await.unwrap();
    b.click(&first).await.unwrap();
    b.wait_for("ol.conversation", Duration::from_secs(5)).await.unwrap();
    c.check("portal-ticket").await;
    c.visit(&app, "/account", "portal-account").await;
    // Setting up two-factor sign-in shows a QR code (an SVG data URI the CSP must allow).
    let setup = b.find("form[action='/account/2fa/setup'] button").await.unwrap();
    b.click(&setup).await.unwrap();
    b.wait_for("img.qr", Duration::from_secs(5)).await.unwrap();
    c.check("portal-account-2fa-setup").await;
    c.visit(&app, "/notifications", "portal-notifications").await;
    c.visit(&app, "/account/notifications", "portal-notification-prefs").await;
    c.visit(&app, "/no-such-page", "portal-not-found").await;

    c.finish();
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_pages_pass_quality_checks() {
    let name = "console_pages_pass_quality_checks";
    if skipped(name) {
        return;
    }
    let app = TestApp::spawn().await;
    let b = browser().await;
    let mut c = Checker::new(&b, name);

    c.visit(&app, "/msp", "console-sign-in").await;
    c.drain_console().await;
    sign_in(&b, &app, "/msp", STAFF_OWNER).await;
    c.visit(&app, "/msp/customers", "console-customers").await;

    let first = b.find("main table a[href^='/msp/customers/']").await.expect("a customer link in the list");
    let href = b.attribute(&first, "href").await.unwrap().unwrap_or_default();
    c.drain_console().await;
    b.click(&first).await.unwrap();
    b.wait_for_url(WAIT, |u| u.ends_with(&href)).await.expect("the customer page opens");
    c.check("console-customer-detail").await;
    // The customer's Microsoft 365 (Adatum: no sign-in data, security off for the customer).
    for name in ["Contoso Ltd", "Adatum Corp"] {
        let id = app.customer_id(name).await;
        let short = name.split(' ').next().unwrap().to_lowercase();
        for (path, page) in [
            ("", "overview"),
            ("/users", "users"),
            ("/groups", "groups"),
            ("/licenses", "licenses"),
            ("/security", "security"),
            ("/service-health", "service-health"),
            ("/settings", "settings"),
        ] {
            c.visit(&app, &format!("/msp/customers/{id}/m365{path}"), &format!("console-m365-{page}-{short}")).await;
        }
    }

    c.visit(&app, "/msp/staff", "console-staff").await;
    c.visit(&app, "/msp/tickets", "console-tickets").await;
    c.visit(&app, "/msp/tickets/new", "console-ticket-new").await;
    c.visit(&app, "/msp/tickets?state=", "console-tickets-all").await;
    let ticket = b.find("table.table tbody a").await.unwrap();
    b.click(&ticket).await.unwrap();
    b.wait_for("ol.conversation", Duration::from_secs(5)).await.unwrap();
    c.check("console-ticket").await;
    c.visit(&app, "/msp/settings/tickets", "console-ticket-settings").await;
    // A refused change (a status demo tickets are in) comes back with the reason in its section.
    c.drain_console().await;
    b.execute("document.querySelector(\"form[action*='/statuses/'][action*='/delete'][data-confirm*='In progress']\").submit();", vec![])
        .await
        .unwrap();
    b.wait_for("#st-error", WAIT).await.expect("the refusal is shown in the statuses section");
    c.check("console-ticket-settings-refused").await;
    c.visit(&app, "/msp/branding", "console-branding").await;
    c.visit(&app, "/msp/tokens", "console-tokens").await;
    c.visit(&app, "/msp/settings/email", "console-email").await;
    c.visit(&app, "/msp/settings/m365", "console-m365-connection").await;
    // With a certificate registered (stored directly: the page shows its thumbprint, never the
    // key), three weeks from expiry, so the page warns.
    let certificate = portico::db::m365_apps::AppCredential::Certificate {
        key_sealed: "v1:sealed".into(),
        thumbprint: "84E05C1D98BCE3A5421D225B140B36E86A3D5534".into(),
        expires_at: Some(portico::model::now() + time::Duration::days(21)),
    };
    let client_id = "a1b2c3d4-0000-4000-8000-00000000c0de";
    portico::db::m365_apps::save_app(app.db(), app.msp().await, client_id, &certificate, portico::model::now())
        .await
        .unwrap();
    c.visit(&app, "/msp/settings/m365", "console-m365-certificate").await;
    // A certificate that is not one comes back with the field marked.
    c.drain_console().await;
    let submit = "document.getElementById('f-certificate_pem').value = 'not a certificate'; \
                  document.querySelector('form.credential-form').submit();";
    b.execute(submit, vec![]).await.unwrap();
    b.wait_for("#e-certificate_pem", WAIT).await.expect("the certificate field's error is shown");
    c.check("console-m365-certificate-refused").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    c.visit(&app, &format!("/msp/customers/{contoso}/m365/sync"), "console-m365-sync").await;
    c.visit(&app, "/msp/settings/email/templates/ticket_reply", "console-email-template").await;
    let preview = b.find("button[formaction$='/preview']").await.unwrap();
    b.click(&preview).await.unwrap();
    b.wait_for("iframe.preview-frame", Duration::from_secs(5)).await.unwrap();
    c.check("console-email-preview").await;
    c.visit(&app, "/account", "console-account").await;

    c.finish();
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_user_raises_a_ticket_with_a_file_and_hears_the_reply() {
    let name = "a_limited_user_raises_a_ticket_with_a_file_and_hears_the_reply";
    if skipped(name) {
        return;
    }
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("error-screenshot.png");
    std::fs::write(&shot, crate::helpers::PNG).unwrap();
    let b = browser().await;

    sign_in(&b, &app, "/", "limited@contoso.test").await;
    let before = bell_count(&b).await;
    b.goto(&app.url("/tickets/new")).await.unwrap();
    let title = b.wait_for("#f-title", WAIT).await.unwrap();
    b.type_into(&title, "Invoice app shows an error").await.unwrap();
    let description = b.find("#f-description").await.unwrap();
    b.type_into(&description, "Since today the invoice app shows the error in the attached screenshot.").await.unwrap();
    let file = b.find("#f-attachments").await.unwrap();
    b.type_into(&file, shot.to_str().unwrap()).await.unwrap();
    let submit = b.find("main form button.primary").await.unwrap();
    b.click(&submit).await.unwrap();
    let url = b.wait_for_url(WAIT, |u| u.contains("/tickets/") && u.contains("notice=ticket-created")).await.unwrap();
    let n: i64 = url.split("/tickets/").nth(1).unwrap().split('?').next().unwrap().parse().unwrap();
    let files = b.wait_for("ul.attachments", WAIT).await.unwrap();
    assert!(b.text(&files).await.unwrap().contains("error-screenshot.png"), "the file is listed on the ticket");
    screenshots(&b, "flow-ticket-with-attachment").await;

    // Staff see the file and reply.
    let tech = app.signed_in("tech@northwind.test").await;
    let page = tech.get(app.url(&format!("/msp/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("error-screenshot.png"));
    let r = crate::helpers::post_form(
        &tech,
        &app.url(&format!("/msp/tickets/{n}")),
        &app.url(&format!("/msp/tickets/{n}/comments")),
        &[
            ("body", "Thanks, that error means the app needs an update. Done remotely: try again?"),
            ("internal", "false"),
        ],
    )
    .await;
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);

    // The open page's bell catches up without a reload (the script asks when the tab is shown).
    b.execute("document.dispatchEvent(new Event('visibilitychange'));", vec![]).await.unwrap();
    let mut now = before;
    for _ in 0..50 {
        now = bell_count(&b).await;
        if now == before + 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(now, before + 1, "the bell counts the reply");
    b.goto(&app.url(&format!("/tickets/{n}"))).await.unwrap();
    let conversation = b.wait_for("ol.conversation", WAIT).await.unwrap();
    assert!(b.text(&conversation).await.unwrap().contains("needs an update"), "the reply is on the ticket");
    b.goto(&app.url("/notifications")).await.unwrap();
    let inbox = b.wait_for("ul.inbox", WAIT).await.unwrap();
    assert!(b.text(&inbox).await.unwrap().contains(&format!("replied on T-{n}")));
    screenshots(&b, "flow-notifications").await;
    b.quit().await;
}

/// The number the bell shows (0 when its badge is hidden).
async fn bell_count(b: &Browser) -> i64 {
    let script =
        "var c = document.querySelector('[data-bell-count]'); return c && !c.hidden ? Number(c.textContent) : 0;";
    b.execute(script, vec![]).await.unwrap().as_i64().unwrap()
}
