// After a passkey is registered (django-otp-webauthn's script announces it), show the page
// again: it then lists the new passkey and offers recovery codes.
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
