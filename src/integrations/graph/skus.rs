//! Product names of Microsoft 365 licence SKUs, from Microsoft's published table
//! (`data/m365-skus.csv`; source and licence in `data/README.md`).

use std::collections::HashMap;
use std::sync::LazyLock;

const TABLE: &str = include_str!("../../../data/m365-skus.csv");

/// Lower-cased SKU id and part number → product name, built on first use.
static NAMES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut names = HashMap::new();
    for line in TABLE.lines().skip(1) {
        let fields = split_csv_line(line);
        let [id, part, name] = fields.as_slice() else { continue };
        // Two SKUs may share a part number; the first row (by product name) answers for it.
        names.entry(id.to_ascii_lowercase()).or_insert(*name);
        names.entry(part.to_ascii_lowercase()).or_insert(*name);
    }
    names
});

/// The product name of a SKU, given its `skuPartNumber` (`SPB`) or its `skuId` GUID; any case.
/// `None` for a SKU the table does not know: show its part number instead.
pub fn product_name(sku_part_number_or_id: &str) -> Option<&'static str> {
    NAMES.get(&sku_part_number_or_id.trim().to_ascii_lowercase()).copied()
}

/// Splits one CSV line whose fields may be quoted (`"a, b"`); the table never doubles quotes
/// inside a field, so a quote only opens or closes one.
fn split_csv_line(line: &'static str) -> Vec<&'static str> {
    let mut fields = Vec::with_capacity(3);
    let mut rest = line.trim_end_matches('\r');
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            fields.push(&quoted[..end]);
            rest = quoted.get(end + 1..).unwrap_or("");
            match rest.strip_prefix(',') {
                Some(r) => rest = r,
                None => return fields,
            }
        } else {
            match rest.split_once(',') {
                Some((field, r)) => {
                    fields.push(field);
                    rest = r;
                }
                None => {
                    fields.push(rest);
                    return fields;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_part_number_and_by_id() {
        assert_eq!(product_name("SPB"), Some("Microsoft 365 Business Premium"));
        assert_eq!(product_name("spb"), Some("Microsoft 365 Business Premium"));
        assert_eq!(product_name("ENTERPRISEPACK"), Some("Office 365 E3"));
        assert_eq!(product_name("O365_BUSINESS_PREMIUM"), Some("Microsoft 365 Business Standard"));
        assert_eq!(product_name("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"), Some("Microsoft 365 Business Premium"));
        assert_eq!(product_name("CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46"), Some("Microsoft 365 Business Premium"));
    }

    #[test]
    fn unknown_skus_have_no_name() {
        assert_eq!(product_name("CONTOSO_SPECIAL_EDITION"), None);
        assert_eq!(product_name("00000000-0000-0000-0000-000000000000"), None);
        assert_eq!(product_name(""), None);
    }

    #[test]
    fn quoted_fields_with_commas_are_one_field() {
        assert_eq!(
            product_name("24be3cd7-82ca-41a5-94a7-4903373cdcae"),
            Some("Windows 365 Business 16 vCPU, 64 GB, 1 TB")
        );
        assert_eq!(
            product_name("Windows_365_Business_16_vCPU,_64_GB,_1_TB"),
            Some("Windows 365 Business 16 vCPU, 64 GB, 1 TB")
        );
        assert_eq!(split_csv_line(r#"a,"b, c",d"#), vec!["a", "b, c", "d"]);
        assert_eq!(split_csv_line("a,b,"), vec!["a", "b", ""]);
    }

    #[test]
    fn every_row_parses() {
        let rows = TABLE.lines().skip(1).filter(|l| !l.is_empty()).count();
        assert!(rows > 600, "{rows}");
        for line in TABLE.lines().skip(1).filter(|l| !l.is_empty()) {
            let fields = split_csv_line(line);
            assert_eq!(fields.len(), 3, "{line}");
            assert_eq!(fields[0].len(), 36, "{line}");
        }
        // Every id is its own key, so an id lookup never meets a part number's collision.
        assert!(NAMES.len() >= rows);
    }
}
