//! The words of a staff member's own account: the first-login set-up (a new password, then,
//! where the role needs it, the second factor) and the account page.

use super::Lang;
use crate::auth::CredentialError;

pub struct AccountTexts {
    pub setup_title: &'static str,
    pub steps_label: &'static str,
    pub step_password: &'static str,
    pub step_totp: &'static str,
    pub step_done: &'static str,
    pub password_intro: &'static str,
    pub password_rules: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub save_password: &'static str,
    pub totp_required: &'static str,
    pub totp_optional: &'static str,
    pub totp_scan: &'static str,
    pub qr_label: &'static str,
    pub totp_same_phone: &'static str,
    pub totp_manual: &'static str,
    pub totp_key: &'static str,
    pub code_label: &'static str,
    pub code_hint: &'static str,
    pub enable_and_enter: &'static str,
    pub enable: &'static str,
    pub logout: &'static str,
    pub done_password: &'static str,
    pub done_password_next: &'static str,
    pub done_totp: &'static str,
    pub account_title: &'static str,
    pub roles: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub change_password_button: &'static str,
    pub password_changed: &'static str,
    pub totp_heading: &'static str,
    pub totp_on: &'static str,
    pub totp_enabled: &'static str,
    pub err_too_short: &'static str,
    pub err_mismatch: &'static str,
    pub err_unchanged_first: &'static str,
    pub err_unchanged: &'static str,
    pub err_wrong_current: &'static str,
    pub err_wrong_code: &'static str,
    pub err_expired: &'static str,
    pub err_already_enabled: &'static str,
}

impl AccountTexts {
    /// What a refused password or code says beside its field. `first`: at first login, where
    /// the old password is the one-time password.
    pub fn refusal(&self, e: &CredentialError, first: bool) -> Option<&'static str> {
        Some(match e {
            CredentialError::TooShort => self.err_too_short,
            CredentialError::Mismatch => self.err_mismatch,
            CredentialError::Unchanged if first => self.err_unchanged_first,
            CredentialError::Unchanged => self.err_unchanged,
            CredentialError::WrongCurrent => self.err_wrong_current,
            CredentialError::WrongCode => self.err_wrong_code,
            CredentialError::SetupExpired => self.err_expired,
            CredentialError::AlreadyEnabled => self.err_already_enabled,
            CredentialError::App(_) => return None,
        })
    }
}

impl Lang {
    pub fn account(self) -> &'static AccountTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

static ZH: AccountTexts = AccountTexts {
    setup_title: "首次登录：设置账号",
    steps_label: "设置步骤",
    step_password: "设置新密码",
    step_totp: "开启两步验证",
    step_done: "已完成",
    password_intro: "您已用管理员发给您的一次性密码登录。请设置自己的新密码，以后用新密码登录；设置后直接进入下一步，不用重新登录。",
    password_rules: "密码规则：至少 10 个字符（字母、数字、汉字、符号都可以），不能与一次性密码相同。建议用一句好记的话或几个词连在一起，不要用生日、手机号或 12345678 之类。",
    new_password: "新密码",
    confirm_password: "再次输入新密码",
    save_password: "保存新密码，继续",
    totp_required: "您的角色（县级部门或平台管理）必须开启两步验证：以后登录时，除了密码，还要输入手机验证器应用里显示的 6 位动态验证码。",
    totp_optional: "开启两步验证后，登录时除了密码还要输入手机验证器应用里显示的 6 位动态验证码，账号更安全。您的角色可以不开启。",
    totp_scan: "在手机上打开验证器应用（如微信小程序“腾讯身份验证器”、Google Authenticator、Microsoft Authenticator），选择“扫描二维码”，扫描下面的二维码。",
    qr_label: "两步验证二维码：请用手机验证器应用扫描",
    totp_same_phone: "正在用装了验证器应用的这部手机操作？点这里直接添加",
    totp_manual: "无法扫描时，在应用中选择“手动输入密钥”，输入下面的密钥（空格可以不输）：",
    totp_key: "密钥",
    code_label: "验证器应用显示的 6 位数字",
    code_hint: "数字每 30 秒变化一次，输入当前显示的即可。",
    enable_and_enter: "开启两步验证，进入控制台",
    enable: "开启两步验证",
    logout: "退出登录",
    done_password: "新密码已设置，账号设置完成。欢迎使用控制台。",
    done_password_next: "新密码已设置。最后一步：开启两步验证。",
    done_totp: "账号设置完成，两步验证已开启，以后登录需要输入动态验证码。欢迎使用控制台。",
    account_title: "我的账号",
    roles: "角色",
    change_password: "修改密码",
    current_password: "当前密码",
    change_password_button: "修改密码",
    password_changed: "密码已修改。其他设备上的登录已退出，本机继续保持登录。",
    totp_heading: "两步验证（动态验证码）",
    totp_on: "已开启。",
    totp_enabled: "两步验证已开启，以后登录需要输入动态验证码。",
    err_too_short: "密码至少需要 10 个字符，请重新输入。",
    err_mismatch: "两次输入的新密码不一致，请在这里再输入一次新密码。",
    err_unchanged_first: "新密码不能与一次性密码相同，请换一个。",
    err_unchanged: "新密码不能与当前密码相同，请换一个。",
    err_wrong_current: "当前密码不正确。",
    err_wrong_code: "验证码不正确。请确认手机时间准确，输入应用里当前显示的 6 位数字（二维码和密钥没有变，不用重新扫描）。",
    err_expired: "设置已超时，已生成新的二维码。请在应用中删除旧的条目，重新扫描后输入验证码。",
    err_already_enabled: "两步验证已经开启。",
};

static EN: AccountTexts = AccountTexts {
    setup_title: "First login: set up your account",
    steps_label: "Set-up steps",
    step_password: "Set a new password",
    step_totp: "Turn on two-step verification",
    step_done: "done",
    password_intro: "You logged in with the one-time password your administrator gave you. Choose your own password now and use it from now on; you go straight on to the next step without logging in again.",
    password_rules: "Password rules: at least 10 characters (letters, digits, Chinese characters and symbols all count), and not the one-time password. A memorable sentence or a few words together work well; avoid birthdays, phone numbers and 12345678.",
    new_password: "New password",
    confirm_password: "New password again",
    save_password: "Save the new password and go on",
    totp_required: "Your role (a county department or platform administration) must use two-step verification: when you log in you enter, besides your password, the 6-digit code your phone's authenticator app shows.",
    totp_optional: "With two-step verification, logging in also asks for the 6-digit code your phone's authenticator app shows, which keeps the account safer. Your role may go without it.",
    totp_scan: "Open an authenticator app on your phone (such as the Tencent Authenticator mini program in WeChat, Google Authenticator or Microsoft Authenticator), choose \"scan a QR code\" and scan the code below.",
    qr_label: "Two-step verification QR code: scan it with your phone's authenticator app",
    totp_same_phone: "On the phone that has the authenticator app? Tap here to add it directly",
    totp_manual: "If you cannot scan, choose \"enter a setup key\" in the app and type this key (the spaces may be left out):",
    totp_key: "Key",
    code_label: "The 6-digit code the authenticator app shows",
    code_hint: "The code changes every 30 seconds; enter the one shown now.",
    enable_and_enter: "Turn it on and enter the console",
    enable: "Turn on two-step verification",
    logout: "Log out",
    done_password: "Your new password is set and your account is ready. Welcome to the console.",
    done_password_next: "Your new password is set. One last step: turn on two-step verification.",
    done_totp: "Your account is ready: two-step verification is on, and logging in now asks for a code. Welcome to the console.",
    account_title: "My account",
    roles: "Roles",
    change_password: "Change password",
    current_password: "Current password",
    change_password_button: "Change password",
    password_changed: "Your password is changed. Sessions on other devices have ended; this one stays logged in.",
    totp_heading: "Two-step verification (one-time codes)",
    totp_on: "On.",
    totp_enabled: "Two-step verification is on; logging in now asks for a code.",
    err_too_short: "A password needs at least 10 characters; please enter another.",
    err_mismatch: "The two new passwords differ; please enter the new password here again.",
    err_unchanged_first: "The new password must differ from the one-time password.",
    err_unchanged: "The new password must differ from the current one.",
    err_wrong_current: "The current password is wrong.",
    err_wrong_code: "That code does not match. Check that your phone's clock is right and enter the 6 digits the app shows now (the QR code and key are unchanged; no need to scan again).",
    err_expired: "The set-up timed out and a new QR code was made. Delete the old entry in your app, scan again and enter the code.",
    err_already_enabled: "Two-step verification is already on.",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MIN_PASSWORD_CHARS;

    #[test]
    fn the_stated_rules_and_refusals_name_the_real_minimum() {
        for lang in [Lang::Zh, Lang::En] {
            let t = lang.account();
            let n = MIN_PASSWORD_CHARS.to_string();
            assert!(t.password_rules.contains(&n) && t.err_too_short.contains(&n));
        }
    }
}
