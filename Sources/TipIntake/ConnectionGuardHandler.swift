import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1

/// Disconnects slow clients (slowloris, stalled uploads): a connection must deliver complete
/// request headers within `headerTimeout` (from connect, or from the end of the previous
/// response), while a body is arriving no gap may exceed `bodyIdleTimeout`, and once the body
/// has been arriving for `rate.grace` it must have averaged `rate.minBytesPerSecond` (a byte
/// now and then re-arms the idle timer, so without this 16 tricklers hold every upload slot).
/// A body too slow is answered 408 when no answer has begun, and the connection closed. A
/// request cut off this way fails inside the submission pipeline, which stores nothing.
///
/// It answers `Expect: 100-continue` at once (Hummingbird does not) unless the declared size is
/// over `maxRequestBytes` (the route then answers 413 without the client sending the body),
/// and ends the connection after a response marked `Connection: close` (a refused upload):
/// output is half-closed at once so the client reads the answer, and the socket closes shortly
/// after, rather than reading the rest of a body nobody wants.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPConnectionStateHandler.InboundIn
    typealias InboundOut = HTTPConnectionStateHandler.InboundIn
    typealias OutboundIn = HTTPConnectionStateHandler.OutboundIn
    typealias OutboundOut = HTTPConnectionStateHandler.OutboundIn

    /// How long a refused client gets to read its answer before the socket closes.
    static let lingerAfterRefusal = TimeAmount.seconds(2)

    /// The least average rate a body must keep once `grace` has passed; 0 bytes: no check.
    struct MinimumRate: Sendable {
        var minBytesPerSecond: Int
        var grace: TimeAmount
    }

    private let headerTimeout: TimeAmount
    private let bodyIdleTimeout: TimeAmount
    private let rate: MinimumRate
    private let maxRequestBytes: Int
    private var timer: Scheduled<Void>?
    private var rateTimer: Scheduled<Void>?
    private var bodyStart = NIODeadline.now()
    private var bodyBytes = 0
    private var readingRequest = false
    private var responseStarted = false
    private var responseFinishedEarly = false
    private var closeAfterResponse = false
    private var cutOff = false

    init(
        headerTimeout: TimeAmount, bodyIdleTimeout: TimeAmount, rate: MinimumRate = MinimumRate(minBytesPerSecond: 0, grace: .seconds(1)),
        maxRequestBytes: Int = .max
    ) {
        self.headerTimeout = headerTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
        self.rate = rate
        self.maxRequestBytes = maxRequestBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, headerTimeout) }
        // HTTP/1.0 without keep-alive must close after its answer: that is decided on the
        // HTTP/1 head, which still has its version, before it becomes an HTTPRequest.
        let pipeline = context.pipeline.syncOperations
        if let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) {
            try? pipeline.addHandler(HTTP10CloseHandler(), position: .after(decoder))
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        disarmRate()
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, headerTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        disarmRate()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            readingRequest = true
            responseStarted = false
            responseFinishedEarly = false
            closeAfterResponse = false
            arm(context, bodyIdleTimeout)
            bodyStart = .now()
            bodyBytes = 0
            armRate(context, at: bodyStart + rate.grace)
            // curl and others wait a second for this before sending a large body; one that
            // is declared too large gets its 413 without sending it.
            let declared = HeaderParameters.contentLength(request.headerFields[.contentLength]) ?? 0
            if request.headerFields[.expect]?.lowercased() == "100-continue" && declared <= maxRequestBytes {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            arm(context, bodyIdleTimeout)
        case .end:
            readingRequest = false
            disarmRate()
            if responseFinishedEarly { arm(context, headerTimeout) } else { disarm() }
        }
        guard !cutOff else { return }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !cutOff else {
            promise?.fail(ChannelError.ioOnClosedChannel)  // the 408 was this request's answer
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.kind != .informational { responseStarted = true }
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            if closeAfterResponse {
                disarm()
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                context.writeAndFlush(data, promise: written)
                let channel = context.channel
                written.futureResult.whenComplete { _ in
                    channel.close(mode: .output, promise: nil)
                    channel.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) { channel.close(promise: nil) }
                }
                return
            }
            if readingRequest { responseFinishedEarly = true } else { arm(context, headerTimeout) }
            context.write(data, promise: promise)
        }
    }

    /// Checks the body's average rate at `deadline`; while it keeps up, looks again when the
    /// bytes so far would no longer cover the minimum.
    private func armRate(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        disarmRate()
        guard rate.minBytesPerSecond > 0 else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        rateTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.checkRate(context)
        }
    }

    private func checkRate(_ context: ChannelHandlerContext) {
        guard readingRequest, !responseStarted else { return }
        let now = NIODeadline.now()
        let owed = Double((now - bodyStart).nanoseconds) / 1e9 * Double(rate.minBytesPerSecond)
        if Double(bodyBytes) >= owed {
            let covered = TimeAmount.nanoseconds(Int64(Double(bodyBytes) / Double(rate.minBytesPerSecond) * 1e9))
            armRate(context, at: max(bodyStart + covered, now + .milliseconds(100)))
            return
        }
        cutOffSlowBody(context)
    }

    /// 408, then the connection goes: input at once (the pipeline sees the body end short and
    /// stores nothing), output once the answer is written, the socket after the usual linger.
    private func cutOffSlowBody(_ context: ChannelHandlerContext) {
        cutOff = true
        disarm()
        disarmRate()
        let channel = context.channel
        var fields = HTTPFields()
        let text = "The upload was too slow and was stopped; nothing was stored. Send it again on a faster connection.\n"
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.contentLength] = "\(text.utf8.count)"
        fields[.connection] = "close"
        SecurityHeaders.stamp(&fields)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .requestTimeout, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(string: text))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        written.futureResult.whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) { channel.close(promise: nil) }
        }
    }

    private func disarmRate() {
        rateTimer?.cancel()
        rateTimer = nil
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
