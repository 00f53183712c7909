import HTTPTypes
import HummingbirdCore
import NIOCore

/// Stamps the security headers on every final response head leaving the connection, including
/// the ones Hummingbird writes itself before any routing (a 400 for a request it cannot parse),
/// which the router middleware never sees.
final class SecurityHeadersChannelHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPConnectionStateHandler.OutboundIn
    typealias OutboundOut = HTTPConnectionStateHandler.OutboundIn

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status.kind != .informational else {
            context.write(data, promise: promise)
            return
        }
        SecurityHeaders.stamp(&head.headerFields)
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}
