//! QR codes rendered on the server as inline SVG (the `qrcode` crate): no script, no image
//! request, crisp at any print size. Used by the second factor's set-up (the otpauth URI stays
//! on the server's page) and by the paper board's sheets (the item's stable address).

use crate::error::WebError;

/// `text` as a QR code (error correction M: a creased or smudged sheet still scans), an
/// `<svg class="qr">` element with `label` as its accessible name, ready to place in a page.
pub fn qr_svg(text: &str, label: &str) -> Result<String, WebError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| WebError::Internal(format!("QR code: {e}")))?;
    let svg = code.render::<svg::Color>().quiet_zone(true).min_dimensions(200, 200).build();
    let svg = svg.strip_prefix(r#"<?xml version="1.0" standalone="yes"?>"#).unwrap_or(&svg);
    let label: String = label
        .chars()
        .map(|c| match c {
            '"' => "&quot;".to_owned(),
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            c => c.to_string(),
        })
        .collect();
    Ok(svg.replacen("<svg ", &format!(r#"<svg class="qr" role="img" aria-label="{label}" "#), 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_label_cannot_break_out_of_its_attribute() {
        let svg = super::qr_svg("https://example.org/v/1/d/2", "a\" onload=\"x<").unwrap();
        assert!(svg.starts_with(r#"<svg class="qr" role="img" aria-label="a&quot; onload=&quot;x&lt;" "#), "{svg}");
    }
}
