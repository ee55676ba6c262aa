//! The hub's write path to one WebSocket connection.
//!
//! A server's frames to its clients are unmasked, so a frame is the same
//! bytes for every client that gets it: the hub encodes each event into a
//! frame once (`text_frame`) and hands every subscriber a reference to it
//! through the connection's `Outbox`, a bounded queue. The connection's
//! response body (`Outbound`) takes frames from that queue directly, beside
//! what the session actor writes itself (errors, pongs, pings, the close
//! frame). An event thus costs a client one queue push and one copy into
//! its socket buffer: no message to the session actor, no frame encoding
//! or payload copy of its own. At 10,000 clients that took the server's
//! peak memory from ~1.1 GiB to ~0.7 GiB and its CPU by 7%; most of what
//! is left is the kernel's loopback `send` (docs/benchmarks.md).
//!
//! The queue being bounded is what finds a client that stops reading: the
//! body is only polled while the socket takes bytes, so its queue fills and
//! the hub's `try_push` says so (see `Hub::fan_out`).

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_http::ws::{OpCode, Parser};
use actix_web::web::{Bytes, BytesMut};
use futures_util::Stream;
use tokio::sync::mpsc;

/// A whole, final, unmasked text frame carrying `text`.
pub fn text_frame(text: &str) -> Bytes {
    let mut frame = BytesMut::with_capacity(text.len() + 10);
    Parser::write_message(&mut frame, text, OpCode::Text, true, false);
    frame.freeze()
}

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum PushError {
    /// The client has `capacity` frames it has not taken yet.
    Full,
    /// The connection is gone.
    Closed,
}

/// The sending side of one connection's queue of frames, held by the hub.
#[derive(Clone)]
pub struct Outbox(mpsc::Sender<Bytes>);

/// A connection's queue: the hub's end and the response body's end.
pub fn channel(capacity: usize) -> (Outbox, mpsc::Receiver<Bytes>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (Outbox(tx), rx)
}

impl Outbox {
    /// Frames the queue holds at most.
    pub fn capacity(&self) -> usize {
        self.0.max_capacity()
    }

    /// Queues `frame` (from `text_frame`) without waiting.
    pub fn try_push(&self, frame: &Bytes) -> Result<(), PushError> {
        self.0.try_send(frame.clone()).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => PushError::Full,
            mpsc::error::TrySendError::Closed(_) => PushError::Closed,
        })
    }
}

/// A WebSocket response body: the session actor's own frames (its
/// `WebsocketContext` stream) merged with the hub's from the queue. It ends
/// when the session does, after its close frame.
pub struct Outbound<S> {
    session: Pin<Box<S>>,
    frames: mpsc::Receiver<Bytes>,
}

impl<S> Outbound<S> {
    pub fn new(session: S, frames: mpsc::Receiver<Bytes>) -> Self {
        Outbound {
            session: Box::pin(session),
            frames,
        }
    }
}

impl<S, E> Stream for Outbound<S>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        // The session first: it may be closing, and its replies are small.
        if let Poll::Ready(item) = this.session.as_mut().poll_next(cx) {
            return Poll::Ready(item);
        }
        match this.frames.poll_recv(cx) {
            Poll::Ready(Some(frame)) => Poll::Ready(Some(Ok(frame))),
            // The hub let go of the queue: it is evicting this client or
            // shutting down, and the session (whose waker is registered
            // above) will close.
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    }
}

/// The frames in `bytes` as a client reads them (tests of the hub and of
/// this module look at what would reach the wire).
#[cfg(test)]
pub(crate) fn decode(bytes: &[u8]) -> Vec<actix_http::ws::Frame> {
    use actix_codec::Decoder;
    let mut codec = actix_http::ws::Codec::new().client_mode().max_size(1 << 20);
    let mut buf = BytesMut::from(bytes);
    let mut frames = Vec::new();
    while let Some(frame) = codec.decode(&mut buf).unwrap() {
        frames.push(frame);
    }
    assert!(buf.is_empty(), "a partial frame is left");
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_http::ws::Frame;
    use futures_util::{stream, StreamExt};

    #[test]
    fn a_frame_decodes_to_its_text_whatever_its_length() {
        for len in [0, 125, 126, 65_535, 65_536, 300_000] {
            let text = "x".repeat(len);
            match decode(&text_frame(&text)).as_slice() {
                [Frame::Text(t)] => assert_eq!(t.len(), len),
                other => panic!("{len}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_full_queue_refuses_and_a_dropped_one_is_closed() {
        let (outbox, rx) = channel(1);
        let frame = text_frame("a");
        assert_eq!(outbox.try_push(&frame), Ok(()));
        assert_eq!(outbox.try_push(&frame), Err(PushError::Full));
        drop(rx);
        assert_eq!(outbox.try_push(&frame), Err(PushError::Closed));
    }

    #[actix::test]
    async fn the_body_carries_both_sources_and_ends_with_the_session() {
        let (outbox, rx) = channel(4);
        outbox.try_push(&text_frame("event")).unwrap();
        let session = stream::iter([Ok::<_, ()>(text_frame("pong"))]);
        let body: Vec<Bytes> = Outbound::new(session, rx)
            .map(|chunk| chunk.unwrap())
            .collect()
            .await;
        // The session's stream ended, so the body did too: queued events
        // after the close frame are not sent.
        assert_eq!(body, vec![text_frame("pong")]);

        let (outbox, rx) = channel(4);
        outbox.try_push(&text_frame("event")).unwrap();
        let mut body = Outbound::new(stream::pending::<Result<Bytes, ()>>(), rx);
        assert_eq!(body.next().await, Some(Ok(text_frame("event"))));
    }
}
