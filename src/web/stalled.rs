//! Connections whose client stopped reading.
//!
//! actix-http writes a response (a WebSocket's frames included) until the
//! socket takes no more and then waits for it to drain, with no timeout of
//! its own: a client that never reads again kept its connection, its
//! buffers and a file descriptor for good, even after the hub evicted it
//! and its session closed. The kernel can tell: with `TCP_USER_TIMEOUT` it
//! drops a connection whose sent data stays unacknowledged, or whose peer
//! keeps its receive window shut, for that long, and the server's next
//! write then fails and ends the connection.

use std::any::Any;
use std::time::Duration;

use actix_web::rt::net::TcpStream;
use log::debug;

/// `HttpServer::on_connect` hook: gives a plain TCP connection `timeout`
/// to make progress on what the server sent it.
pub fn drop_after(conn: &dyn Any, timeout: Duration) {
    let Some(tcp) = conn.downcast_ref::<TcpStream>() else {
        return;
    };
    if let Err(e) = socket2::SockRef::from(tcp).set_tcp_user_timeout(Some(timeout)) {
        debug!("TCP_USER_TIMEOUT not set: {e}");
    }
}
