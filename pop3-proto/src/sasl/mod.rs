//! Temporary: replaced by the SASL module.
use thiserror::Error;
/// err
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaslError {
    /// b64
    #[error("invalid base64")]
    InvalidBase64,
}
/// Strict base64.
pub fn decode_base64(input: &[u8]) -> Result<Vec<u8>, SaslError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(input)
        .map_err(|_| SaslError::InvalidBase64)
}
/// encode
pub fn encode_base64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}
