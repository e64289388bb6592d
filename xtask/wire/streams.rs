// The Rust side of the stream oracle (copied into the wire driver as `streams.rs` by
// `cargo xtask wire`): the generated OpenAI client reading a chat completion's events,
// from the real server and from recorded streams.
//
//   wire-driver streams live BASE KEY OUT      the JSON call and the streamed call
//   wire-driver streams replay BASE NAME OUT   the events of a recorded stream

use corpus_openai::models::{ChatCompletionRequestMessage, ModelIdsShared};
use corpus_openai::{Auth, Client};
use serde_json::{Value, json};

fn request() -> (Vec<ChatCompletionRequestMessage>, ModelIdsShared) {
    let messages = json!([{"role": "user", "content": "Say the sentence."}]);
    let messages = serde_json::from_value(messages).expect("a user message");
    (messages, ModelIdsShared::String("mock-gpt".to_owned()))
}

pub async fn run(args: &[String]) -> Result<(), String> {
    let (mode, base, arg, out) = (&args[0], &args[1], &args[2], &args[3]);
    let report = match mode.as_str() {
        "live" => live(base, arg).await?,
        "replay" => replay(base, arg).await?,
        other => return Err(format!("no streams mode {other}")),
    };
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(out, text).map_err(|e| format!("{out}: {e}"))
}

/// Both calls against the real server: the JSON answer and the streamed one's text.
async fn live(base: &str, key: &str) -> Result<Value, String> {
    let client = Client::new(base, Auth::bearer(key)).map_err(|e| e.to_string())?;
    let (messages, model) = request();
    let whole = client
        .chat()
        .create_completion(messages.clone(), model.clone())
        .send()
        .await;
    let whole = whole.map_err(|e| format!("the JSON call: {e}"))?;
    let answer = whole.choices.first().and_then(|c| c.message.content.clone());
    let mut events = client.chat().create_completion_stream(messages, model).send().await;
    let events = events.as_mut().map_err(|e| format!("the streamed call: {e}"))?;
    let (mut count, mut text, mut errors) = (0, String::new(), Vec::new());
    while let Some(event) = events.next().await {
        match event {
            Ok(event) => {
                count += 1;
                let delta = event.data.choices.first().and_then(|c| c.delta.content.clone());
                text.push_str(&delta.unwrap_or_default());
            }
            Err(error) => errors.push(error.to_string()),
        }
    }
    Ok(json!({"answer": answer, "events": count, "streamed_text": text, "errors": errors}))
}

/// Each event's data of a recorded stream, as the generated types hold it.
async fn replay(base: &str, name: &str) -> Result<Value, String> {
    let client = Client::new(format!("{base}/r/{name}"), Auth::bearer("unused")).map_err(|e| e.to_string())?;
    let (messages, model) = request();
    let mut events = client
        .chat()
        .create_completion_stream(messages, model)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let mut read = Vec::new();
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| format!("event {}: {e}", read.len() + 1))?;
        read.push(serde_json::to_value(&event.data).map_err(|e| e.to_string())?);
    }
    Ok(Value::Array(read))
}
