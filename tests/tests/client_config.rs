//! Building a client from the environment. One test, so that nothing else in this
//! process reads the environment while it changes.

use tavus_api::{Client, ConfigError};

#[test]
fn from_env_reads_tavus_api_key_and_explains_what_is_missing() {
    // SAFETY: this test binary runs this one test; no other thread reads the environment.
    unsafe { std::env::remove_var("TAVUS_API_KEY") };
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, ConfigError::MissingApiKey));
    assert!(
        err.to_string().starts_with("TAVUS_API_KEY is not set"),
        "{err}"
    );

    unsafe { std::env::set_var("TAVUS_API_KEY", "  ") };
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, ConfigError::EmptyApiKey), "{err}");
    assert!(err.to_string().contains("TAVUS_API_KEY"), "{err}");

    unsafe { std::env::set_var("TAVUS_API_KEY", "tvs-env-key") };
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), tavus_api::DEFAULT_BASE_URL);
    assert!(!format!("{client:?}").contains("tvs-env-key"));
}
