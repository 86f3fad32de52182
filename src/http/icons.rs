//! The interface icons: one SVG sprite, served once and kept by the browser
//! (`/static/icons.svg`), and a short reference to it where a template calls `icon("name")`.
//! Inline, the icons were over half of a page's HTML and of the time spent compressing it.

const PATHS: &[(&str, &str)] = &[
    ("home", r#"<path d="M3 10.5 12 3l9 7.5"/><path d="M5 9.5V21h5v-6h4v6h5V9.5"/>"#),
    (
        "team",
        r#"<circle cx="9" cy="8" r="3.2"/><path d="M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6"/><circle cx="17" cy="9" r="2.5"/><path d="M16 14.2c2.9.3 5 2.6 5 5.8"/>"#,
    ),
    ("user", r#"<circle cx="12" cy="8" r="3.6"/><path d="M4.5 20.5c.8-3.8 3.8-6 7.5-6s6.7 2.2 7.5 6"/>"#),
    (
        "building",
        r#"<rect x="4" y="3" width="11" height="18" rx="1"/><path d="M15 9h4a1 1 0 0 1 1 1v11H15"/><path d="M8 7h3M8 11h3M8 15h3"/>"#,
    ),
    (
        "palette",
        r#"<path d="M12 3a9 9 0 1 0 0 18c1.1 0 1.6-.8 1.6-1.6 0-.9-.7-1.3-.7-2.2 0-.9.8-1.6 1.7-1.6H17a4 4 0 0 0 4-4c0-4.7-4-8.6-9-8.6Z"/><circle cx="7.5" cy="11" r="1.2"/><circle cx="10.5" cy="7" r="1.2"/><circle cx="15.5" cy="7.5" r="1.2"/>"#,
    ),
    ("key", r#"<circle cx="8" cy="15" r="4"/><path d="m11 12 9-9M17 6l3 3M15 8l2 2"/>"#),
    ("logout", r#"<path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3"/><path d="M10 17l-5-5 5-5M5 12h11"/>"#),
    (
        "phone",
        r#"<path d="M5 4h3l2 5-2.5 1.5a11 11 0 0 0 6 6L15 14l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2Z"/>"#,
    ),
    ("mail", r#"<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>"#),
    ("clock", r#"<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>"#),
    ("cloud", r#"<path d="M7 18a4.5 4.5 0 0 1-.5-9A6 6 0 0 1 18 9.5 4.3 4.3 0 0 1 17.5 18Z"/>"#),
    ("shield", r#"<path d="M12 3 4 6v6c0 4.5 3.4 8 8 9 4.6-1 8-4.5 8-9V6Z"/>"#),
    ("plus", r#"<path d="M12 5v14M5 12h14"/>"#),
    ("up", r#"<path d="M12 19V5M6 11l6-6 6 6"/>"#),
    ("down", r#"<path d="M12 5v14M6 13l6 6 6-6"/>"#),
    (
        "ticket",
        r#"<path d="M4 7a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v2a2 2 0 0 0 0 4v2a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-2a2 2 0 0 0 0-4Z"/><path d="M14 5v12" stroke-dasharray="2 2"/>"#,
    ),
    ("bell", r#"<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4Z"/><path d="M10 20a2 2 0 0 0 4 0"/>"#),
    ("mail", r#"<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>"#),
    (
        "paperclip",
        r#"<path d="m20 11.5-8.2 8.2a5 5 0 0 1-7-7L13.6 4a3.4 3.4 0 0 1 4.8 4.8l-8.7 8.7a1.7 1.7 0 0 1-2.4-2.4L15 7.4"/>"#,
    ),
    (
        "license",
        r#"<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="9" cy="11" r="2.2"/><path d="M5.8 16.2c.6-1.5 1.8-2.3 3.2-2.3s2.6.8 3.2 2.3M14.5 10h4M14.5 13.5h3"/>"#,
    ),
    (
        "directory",
        r#"<rect x="5" y="3" width="15" height="18" rx="2"/><circle cx="12.5" cy="10" r="2.5"/><path d="M9 16.5c.7-1.6 2-2.4 3.5-2.4s2.8.8 3.5 2.4M3 7.5h4M3 12h4M3 16.5h4"/>"#,
    ),
    (
        "groups",
        r#"<circle cx="12" cy="7.5" r="2.8"/><circle cx="5.5" cy="10" r="2.2"/><circle cx="18.5" cy="10" r="2.2"/><path d="M7.5 19.5c.4-3 2.3-5 4.5-5s4.1 2 4.5 5"/><path d="M2.5 18.5c.3-2.2 1.5-3.6 3-3.9M21.5 18.5c-.3-2.2-1.5-3.6-3-3.9"/>"#,
    ),
    ("pulse", r#"<path d="M3 12h4l2.5-6 4 12 2.5-6H21"/>"#),
    ("check", r#"<path d="m5 12.5 4.5 4.5L19 7.5"/>"#),
    ("alert", r#"<path d="M12 4 2.8 19.5h18.4Z"/><path d="M12 10v4.5M12 17.2v.3"/>"#),
    ("chart", r#"<path d="M4 4v16h16"/><path d="m7 14 4-4 3 3 5-6"/>"#),
];

/// The sprite: each icon a `<symbol>` with its name as the id. Stroke and size are set by the
/// `.icon` rule of the stylesheet, which the symbols inherit.
pub fn sprite() -> &'static str {
    static SPRITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SPRITE.get_or_init(|| {
        let mut out = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg">"#);
        for (name, paths) in PATHS {
            out.push_str(&format!(r#"<symbol id="{name}" viewBox="0 0 24 24">{paths}</symbol>"#));
        }
        out.push_str(&format!(
            r#"<symbol id="{UNKNOWN}" viewBox="0 0 24 24"><circle cx="12" cy="12" r="8"/></symbol></svg>"#
        ));
        out
    })
}

const UNKNOWN: &str = "unknown";

/// The markup of a named icon (a plain circle for an unknown name).
pub fn svg(name: &str) -> String {
    let name = if PATHS.iter().any(|(n, _)| *n == name) { name } else { UNKNOWN };
    format!(
        r#"<svg class="icon" aria-hidden="true"><use href="/static/icons.svg?v={}#{name}"/></svg>"#,
        super::assets::version()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_a_template_names_is_in_the_sprite() {
        let templates = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")).unwrap();
        let mut files: Vec<_> = templates.map(|e| e.unwrap().path()).collect();
        let mut named = vec![];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("icon(\"").skip(1) {
                named.push((path.display().to_string(), part.split('"').next().unwrap().to_string()));
            }
        }
        assert!(named.len() > 20, "icons found in templates: {}", named.len());
        for (file, name) in named {
            assert!(
                sprite().contains(&format!(r#"id="{name}""#)),
                "{file} names icon {name:?}, which is not in the sprite"
            );
        }
        assert!(svg("nonsense").contains("#unknown"));
    }
}
