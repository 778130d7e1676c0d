//! Credentials kept out of what people read: the one rule for every URL that is printed or
//! logged (the database URL, the trading feed URL, the SMS gateway URL).

/// Query parameters whose values are credentials (matched case-insensitively, as a part of
/// the name: `password`, `sslpassword`, `access_token`, `api_key`, `sig`…).
const SECRET_PARAMS: &[&str] = &["pass", "pwd", "token", "secret", "key", "sig", "auth", "cred"];

/// A URL with its credentials replaced by `***`: the password of `user:password@`, a lone
/// `token@` before the host (except a database's user name), and the values of query
/// parameters that name a credential. Text that is not a URL comes back as it was.
pub fn url(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    // The query starts at the first `?` or `#` (a fragment can carry a token too); what
    // comes before is authority and path.
    let query_at = rest.find(['?', '#']).unwrap_or(rest.len());
    let (before_query, query) = rest.split_at(query_at);
    // The user information ends at the last `@` before the query: a password may contain
    // `/` or `@` unescaped, a path rarely contains `@`.
    let before_query = match before_query.rsplit_once('@') {
        Some((userinfo, host)) => {
            let database = scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql");
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:***@{host}"),
                None if database => format!("{userinfo}@{host}"),
                None => format!("***@{host}"),
            }
        }
        None => before_query.to_owned(),
    };
    format!("{scheme}://{before_query}{}", redact_query(query))
}

/// Free text (an error message, say) with every URL in it redacted by [`url`]. A URL runs
/// from its scheme to the next white space, quote or bracket.
pub fn in_text(text: &str) -> String {
    let ends = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '(' | ')' | '<' | '>' | '`');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // Back to the start of the scheme (letters, digits, `+`, `-`, `.`).
        let start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let end = rest[at..].find(ends).map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..start]);
        out.push_str(&url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn redact_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    // Keep each separator (`?`, `&`, `;`, `#`) and redact the value of every secret pair.
    let mut rest = query;
    while let Some(sep) = rest.chars().next() {
        out.push(sep);
        rest = &rest[sep.len_utf8()..];
        let end = rest.find(['&', ';', '#']).unwrap_or(rest.len());
        let (pair, tail) = rest.split_at(end);
        match pair.split_once('=') {
            Some((name, value)) if !value.is_empty() && is_secret(name) => {
                out.push_str(name);
                out.push_str("=***");
            }
            _ => out.push_str(pair),
        }
        rest = tail;
    }
    out
}

fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARAMS.iter().any(|s| name.contains(s))
}

#[cfg(test)]
mod tests {
    use super::{in_text, url};

    #[test]
    fn passwords_tokens_and_secret_parameters_are_hidden() {
        assert_eq!(url("postgres://u:secret@db:5432/x"), "postgres://u:***@db:5432/x");
        assert_eq!(url("postgres://db/x"), "postgres://db/x");
        assert_eq!(url("postgres://yg@db/x"), "postgres://yg@db/x", "a database user name is no secret");
        assert_eq!(url("postgres://u:pa/ss@wo@rd@db/x"), "postgres://u:***@db/x", "unescaped / and @");
        assert_eq!(
            url("postgres://db/x?password=secret&sslmode=require"),
            "postgres://db/x?password=***&sslmode=require"
        );
        assert_eq!(
            url("postgres://u:p@db/x?options=-csearch_path%3Dyg"),
            "postgres://u:***@db/x?options=-csearch_path%3Dyg"
        );
        assert_eq!(url("https://tok3n@sms.example.cn/send"), "https://***@sms.example.cn/send");
        assert_eq!(
            url("https://gw.example.cn/send?user=yg&api_key=k3y&Token=t0k#sig=abc"),
            "https://gw.example.cn/send?user=yg&api_key=***&Token=***#sig=***"
        );
        assert_eq!(url("https://trade.example.cn/feed?contact=a@b.cn"), "https://trade.example.cn/feed?contact=a@b.cn");
        assert_eq!(url("https://trade.example.cn/api/listings"), "https://trade.example.cn/api/listings");
        assert_eq!(url("not a url"), "not a url");
        assert_eq!(
            in_text("cannot reach postgres://u:pw@db/x (timed out); see \"https://t0k@gw/send\""),
            "cannot reach postgres://u:***@db/x (timed out); see \"https://***@gw/send\""
        );
        assert_eq!(in_text("plain words"), "plain words");
        assert_eq!(url(""), "");
    }
}
