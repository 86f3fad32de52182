//! MSPs, their domains and their branding.

use super::{on_db, Db, DbError, MspScope, Ts};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MspRow {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub product_name: String,
    pub primary_color: String,
    pub welcome_message: String,
    pub support_phone: String,
    pub support_email: String,
    pub support_hours: String,
    pub logo_type: Option<String>,
    pub favicon_type: Option<String>,
    pub branding_version: i64,
    /// The sender of the MSP's mail, e.g. `Northwind Support <help@northwind.example>`; '' for the default.
    pub mail_from: String,
    /// ISO 4217 code; amounts stored for the MSP's customers count its minor unit.
    pub currency: String,
}

const COLS: &str = "id, name, is_default, product_name, primary_color, welcome_message, support_phone, \
                    support_email, support_hours, logo_type, favicon_type, branding_version, mail_from, currency";

/// The fields of a branding update; images are stored separately.
pub struct BrandingText<'a> {
    pub product_name: &'a str,
    pub primary_color: &'a str,
    pub welcome_message: &'a str,
    pub support_phone: &'a str,
    pub support_email: &'a str,
    pub support_hours: &'a str,
    pub currency: &'a str,
    /// The customers' stored prices are multiplied by `.0` and divided (rounding half up) by
    /// `.1`, so that a price keeps its number when the new currency has more or fewer
    /// decimals; (1, 1) leaves them alone.
    pub rescale_prices: (i64, i64),
}

pub async fn all(db: &Db) -> Result<Vec<MspRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM msps ORDER BY name");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)
}

pub async fn get(db: &Db, scope: MspScope) -> Result<Option<MspRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM msps WHERE id = $1");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.0).fetch_optional(p).await)
}

/// The ISO 4217 code the MSP bills in, for views that show amounts.
pub async fn currency(db: &Db, scope: MspScope) -> Result<String, DbError> {
    let row: (String,) = on_db!(db, p => sqlx::query_as("SELECT currency FROM msps WHERE id = $1")
        .bind(scope.0).fetch_one(p).await)?;
    Ok(row.0)
}

pub async fn find_by_name(db: &Db, name: &str) -> Result<Option<MspRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM msps WHERE lower(name) = lower($1)");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(p).await)
}

/// Domain → MSP, falling back to the default MSP when the host is not registered.
pub async fn for_host(db: &Db, host: &str) -> Result<Option<MspRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM msps WHERE id = (SELECT msp_id FROM msp_domains WHERE domain = $1) \
         UNION ALL SELECT {COLS} FROM msps WHERE is_default AND NOT EXISTS (SELECT 1 FROM msp_domains WHERE domain = $1)"
    );
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(host).fetch_optional(p).await)
}

pub async fn insert(db: &Db, id: Uuid, name: &str, is_default: bool, colour: &str, now: Ts) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO msps (id, name, is_default, product_name, primary_color, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id).bind(name).bind(is_default).bind(format!("{name} Portal")).bind(colour).bind(now)
    .execute(p).await.map(|_| ()))
}

pub async fn domains(db: &Db, scope: MspScope) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = on_db!(db, p => sqlx::query_as("SELECT domain FROM msp_domains WHERE msp_id = $1 ORDER BY domain")
        .bind(scope.0).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn add_domain(db: &Db, scope: MspScope, domain: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("INSERT INTO msp_domains (domain, msp_id) VALUES ($1, $2)")
        .bind(domain).bind(scope.0).execute(p).await.map(|_| ()))
}

pub async fn update_branding(db: &Db, scope: MspScope, b: &BrandingText<'_>) -> Result<(), DbError> {
    let (mul, div) = b.rescale_prices;
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query(
            "UPDATE msps SET product_name = $2, primary_color = $3, welcome_message = $4, support_phone = $5, \
             support_email = $6, support_hours = $7, currency = $8, branding_version = branding_version + 1 WHERE id = $1",
        )
        .bind(scope.0).bind(b.product_name).bind(b.primary_color).bind(b.welcome_message)
        .bind(b.support_phone).bind(b.support_email).bind(b.support_hours).bind(b.currency)
        .execute(&mut *tx).await?;
        if (mul, div) != (1, 1) {
            sqlx::query(
                "UPDATE m365_prices SET cents = (cents * $2 + $3 / 2) / $3 \
                 WHERE msp_id = $1 AND customer_id IN (SELECT id FROM customers WHERE msp_id = $1)",
            )
            .bind(scope.0).bind(mul).bind(div).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

/// Which stored image: the logo or the favicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Image {
    Logo,
    Favicon,
}

pub async fn set_image(
    db: &Db,
    scope: MspScope,
    which: Image,
    bytes: &[u8],
    content_type: &str,
) -> Result<(), DbError> {
    let sql = match which {
        Image::Logo => {
            "UPDATE msps SET logo = $2, logo_type = $3, branding_version = branding_version + 1 WHERE id = $1"
        }
        Image::Favicon => {
            "UPDATE msps SET favicon = $2, favicon_type = $3, branding_version = branding_version + 1 WHERE id = $1"
        }
    };
    on_db!(db, p => sqlx::query(sql).bind(scope.0).bind(bytes).bind(content_type).execute(p).await.map(|_| ()))
}

pub async fn image(db: &Db, scope: MspScope, which: Image) -> Result<Option<(Vec<u8>, String)>, DbError> {
    let sql = match which {
        Image::Logo => "SELECT logo, logo_type FROM msps WHERE id = $1 AND logo IS NOT NULL",
        Image::Favicon => "SELECT favicon, favicon_type FROM msps WHERE id = $1 AND favicon IS NOT NULL",
    };
    on_db!(db, p => sqlx::query_as(sql).bind(scope.0).fetch_optional(p).await)
}

pub async fn set_mail_from(db: &Db, scope: MspScope, mail_from: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE msps SET mail_from = $2 WHERE id = $1").bind(scope.0).bind(mail_from).execute(p).await.map(|_| ()))
}
