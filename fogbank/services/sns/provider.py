"""Amazon SNS operations (query protocol): topics, subscriptions, publishing, tags, permissions.

Not supported yet (each answers a clear error, never a silent success): delivery to
application (mobile push), SMS and Firehose endpoints; SMS and platform-application operations
(501); data protection policies; delivery status logging (feedback role attributes); FIFO archives
and replay; active X-Ray tracing. Known gaps: pending HTTP/S retries do not survive a restart, a
DeliveryPolicy's throttlePolicy is validated but not applied, a function's resource policy need
not allow SNS to invoke it, and IAM identity policies are not enforced (topic policies are, for
callers from other accounts: see `access.py`).
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.provider import Provider
from fogbank.services.sns import access, delivery, pagination, publishing, subscriptions, topics
from fogbank.services.sns.errors import AuthorizationError, ResourceNotFound, invalid, not_supported


class SnsProvider(Provider):
    service = "sns"

    def start(self) -> None:
        delivery.bind_loop()

    def stop(self) -> None:
        delivery.stop()

    # -- topics ---------------------------------------------------------------------------------

    def create_topic(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request["Name"]
        if request.get("DataProtectionPolicy"):
            raise not_supported("DataProtectionPolicy")
        attributes = topics.creation_attributes(name, request.get("Attributes") or {})
        tags = request.get("Tags") or []
        store = topics.collection(ctx.account, ctx.region)
        existing = store.get(name)
        if existing is not None:
            if any(existing["Attributes"].get(key, "") != value for key, value in attributes.items()):
                raise invalid("Attributes Reason: Topic already exists with different attributes")
            if not topics.same_tags(existing["Tags"], tags):
                raise invalid("Tags Reason: Topic already exists with different tags")
            return {"TopicArn": existing["TopicArn"]}
        arn = ctx.arn("sns", name)
        store.put(name, topics.new_topic(arn, name, attributes, topics.merge_tags([], tags)))
        return {"TopicArn": arn}

    def delete_topic(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """Deleting a topic deletes its subscriptions; deleting a missing topic succeeds."""
        region, account, name = topics.parse_arn(request["TopicArn"])
        if region != ctx.region:
            raise invalid("TopicArn")
        existing = topics.collection(account, region).get(name)
        if existing is not None:
            access.check(existing, ctx.account, "DeleteTopic")
        with state.atomic():
            doomed = subscriptions.for_topic(request["TopicArn"])
            store = subscriptions.collection(account, region)
            for subscription in doomed:
                store.delete(subscription["SubscriptionArn"])
            topics.collection(account, region).delete(name)
            topics.forget_window(request["TopicArn"])
        return {}

    def list_topics(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        listed = sorted(
            ({"TopicArn": t["TopicArn"]} for t in topics.collection(ctx.account, ctx.region).values()),
            key=lambda item: item["TopicArn"],
        )
        page, token = pagination.page(listed, "TopicArn", request.get("NextToken"))
        return pagination.with_token({"Topics": page}, token)

    def get_topic_attributes(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, request["TopicArn"], "GetTopicAttributes")
        counts = {"confirmed": 0, "pending": 0}
        for subscription in subscriptions.for_topic(topic["TopicArn"]):
            counts["pending" if subscription["Pending"] else "confirmed"] += 1
        return {"Attributes": topics.report_attributes(topic, counts)}

    def set_topic_attributes(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, request["TopicArn"], "SetTopicAttributes")
        name = request["AttributeName"]
        value = topics.check_attribute(name, request.get("AttributeValue"), topics.is_fifo(topic))
        topic["Attributes"][name] = value
        self._save(topic)
        return {}

    def add_permission(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, request["TopicArn"], "AddPermission")
        access.add_permission(topic, request["Label"], request["AWSAccountId"], request["ActionName"])
        self._save(topic)
        return {}

    def remove_permission(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, request["TopicArn"], "RemovePermission")
        access.remove_permission(topic, request["Label"])
        self._save(topic)
        return {}

    @staticmethod
    def _topic(ctx: RequestContext, arn: str | None, action: str, member: str = "TopicArn") -> dict[str, Any]:
        """The topic an ARN names, once its policy lets the caller perform the action."""
        topic = topics.find(arn, ctx.region, member)
        access.check(topic, ctx.account, action)
        return topic

    def _save(self, topic: dict[str, Any]) -> None:
        region, account, name = topics.parse_arn(topic["TopicArn"])
        topics.collection(account, region).put(name, topic)

    # -- tags and data protection ---------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        parts = arn.split(":")
        if len(parts) != 6 or parts[2] != "sns":
            raise invalid("ResourceArn")
        topic = topics.collection(parts[4], parts[3]).get(parts[5]) if parts[3] == ctx.region else None
        if topic is None:
            raise ResourceNotFound("Resource does not exist")
        return topic

    def tag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._tagged(ctx, request["ResourceArn"])
        topic["Tags"] = topics.merge_tags(topic["Tags"], request["Tags"])
        self._save(topic)
        return {}

    def untag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._tagged(ctx, request["ResourceArn"])
        doomed = set(request["TagKeys"])
        topic["Tags"] = [tag for tag in topic["Tags"] if tag["Key"] not in doomed]
        self._save(topic)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": list(self._tagged(ctx, request["ResourceArn"])["Tags"])}

    def get_data_protection_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topics.find(request["ResourceArn"], ctx.region, "ResourceArn")
        return {"DataProtectionPolicy": ""}

    def put_data_protection_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topics.find(request["ResourceArn"], ctx.region, "ResourceArn")
        raise not_supported("DataProtectionPolicy")

    # -- subscriptions --------------------------------------------------------------------------

    def subscribe(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, request["TopicArn"], "Subscribe")
        protocol = request["Protocol"]
        endpoint = subscriptions.check_endpoint(protocol, request.get("Endpoint"), topic)
        wanted = request.get("Attributes") or {}
        attributes = subscriptions.check_attributes(wanted, protocol, topic["TopicArn"], subscribing=True)
        for existing in subscriptions.for_topic(topic["TopicArn"]):
            if existing["Protocol"] == protocol and existing["Endpoint"] == endpoint:
                return self._resubscribe(ctx, topic, existing, attributes, request)
        pending = subscriptions.needs_confirmation(protocol, endpoint, ctx.account)
        subscription = subscriptions.new_subscription(
            topic["TopicArn"], protocol, endpoint, ctx.account, attributes, pending
        )
        region, account, _ = topics.parse_arn(topic["TopicArn"])
        with state.atomic():
            subscriptions.collection(account, region).put(subscription["SubscriptionArn"], subscription)
            if pending:
                subscriptions.tokens(account, region).put(
                    subscription["Token"], {"arn": subscription["SubscriptionArn"]}
                )
        if pending:
            delivery.send_confirmation(topic, subscription, ctx.request.base_url)
        return {"SubscriptionArn": self._answer_arn(subscription, request)}

    def _resubscribe(
        self,
        ctx: RequestContext,
        topic: dict[str, Any],
        existing: dict[str, Any],
        attributes: dict[str, str],
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """Subscribe is idempotent for the same endpoint, unless the attributes differ; a still
        pending subscription gets its confirmation request again."""
        if any(existing["Attributes"].get(key, "") != value for key, value in attributes.items()):
            raise invalid("Attributes Reason: Subscription already exists with different attributes")
        if existing["Pending"]:
            delivery.send_confirmation(topic, existing, ctx.request.base_url)
        return {"SubscriptionArn": self._answer_arn(existing, request)}

    @staticmethod
    def _answer_arn(subscription: dict[str, Any], request: dict[str, Any]) -> str:
        if subscription["Pending"] and not request.get("ReturnSubscriptionArn"):
            return "pending confirmation"
        return str(subscription["SubscriptionArn"])

    def confirm_subscription(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """Confirmations may come unsigned (from an endpoint following the SubscribeURL), so the
        topic ARN, not the caller, says where the subscription lives."""
        try:
            region, account, _ = topics.parse_arn(request["TopicArn"])
        except Exception:
            raise invalid("Topic") from None
        found = subscriptions.tokens(account, region).get(request["Token"])
        store = subscriptions.collection(account, region)
        subscription = store.get(found["arn"]) if found else None
        if found and subscription is None and found.get("restore") and clock.now() <= found["expires"]:
            # The token of an UnsubscribeConfirmation brings the subscription back.
            subscription = found["restore"]
            store.put(subscription["SubscriptionArn"], subscription)
        if subscription is None or subscription["TopicArn"] != request["TopicArn"]:
            raise invalid("Token")
        if subscription["Pending"]:
            if clock.now() > subscription.get("TokenExpires", float("inf")):
                raise invalid("Token")
            subscription["Pending"] = False
            subscription["Authenticated"] = bool(ctx.access_key)
            flag = str(request.get("AuthenticateOnUnsubscribe", "")).lower() == "true"
            subscription["UnsubscribeNeedsAuth"] = flag and bool(ctx.access_key)
            store.put(subscription["SubscriptionArn"], subscription)
        return {"SubscriptionArn": subscription["SubscriptionArn"]}

    def unsubscribe(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """Unsubscribing twice succeeds; the topic counts its deleted subscriptions."""
        arn = request["SubscriptionArn"]
        region, account, topic_name = subscriptions.parse_arn(arn)
        store = subscriptions.collection(account, region)
        subscription = store.get(arn)
        if subscription is None:
            return {}
        if subscription.get("UnsubscribeNeedsAuth") and not ctx.access_key:
            # Confirmed with AuthenticateOnUnsubscribe: the unsigned UnsubscribeURL no longer works.
            raise AuthorizationError("Unsubscribe requires an authenticated request for this subscription")
        with state.atomic():
            store.delete(arn)
            if subscription.get("Token"):
                subscriptions.tokens(account, region).delete(subscription["Token"])
            topic = topics.collection(account, region).get(topic_name)
            if topic is not None:
                topic["SubscriptionsDeleted"] = int(topic.get("SubscriptionsDeleted", 0)) + 1
                self._save(topic)
            restore = subscriptions.restore_token(subscription, account, region)
        if topic is not None and restore:
            delivery.send_unsubscribe_confirmation(topic, subscription, restore, ctx.request.base_url)
        return {}

    def list_subscriptions(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        owned = subscriptions.owned_by(ctx.account, ctx.region)
        ordered = sorted(owned, key=lambda item: item["SubscriptionArn"])
        page, token = pagination.page(ordered, "SubscriptionArn", request.get("NextToken"))
        return pagination.with_token({"Subscriptions": [subscriptions.listed(item) for item in page]}, token)

    def list_subscriptions_by_topic(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, request["TopicArn"], "ListSubscriptionsByTopic")
        ordered = sorted(subscriptions.for_topic(topic["TopicArn"]), key=lambda item: item["SubscriptionArn"])
        page, token = pagination.page(ordered, "SubscriptionArn", request.get("NextToken"))
        return pagination.with_token({"Subscriptions": [subscriptions.listed(item) for item in page]}, token)

    def get_subscription_attributes(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        subscription = subscriptions.find(request["SubscriptionArn"])
        topic = self._topic_of(subscription)
        return {"Attributes": subscriptions.report_attributes(subscription, topic)}

    def set_subscription_attributes(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        subscription = subscriptions.find(request["SubscriptionArn"])
        name = request["AttributeName"]
        merged = {**subscription["Attributes"], name: request.get("AttributeValue") or ""}
        value = subscriptions.check_attribute(
            name,
            request.get("AttributeValue"),
            subscription["Protocol"],
            subscription["TopicArn"],
            merged,
            subscribing=False,
        )
        if name == "FilterPolicyScope" and merged.get("FilterPolicy"):
            # The existing policy must also be valid in its new scope.
            subscriptions.check_attribute(
                "FilterPolicy",
                merged["FilterPolicy"],
                subscription["Protocol"],
                subscription["TopicArn"],
                merged,
                subscribing=False,
            )
        subscription["Attributes"][name] = value
        region, account, _ = subscriptions.parse_arn(subscription["SubscriptionArn"])
        subscriptions.collection(account, region).put(subscription["SubscriptionArn"], subscription)
        return {}

    @staticmethod
    def _topic_of(subscription: dict[str, Any]) -> dict[str, Any] | None:
        region, account, name = topics.parse_arn(subscription["TopicArn"])
        return topics.collection(account, region).get(name)

    # -- publishing -----------------------------------------------------------------------------

    def publish(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("PhoneNumber"):
            raise not_supported("Publishing to a PhoneNumber (SMS)")
        arn = request.get("TopicArn") or request.get("TargetArn")
        if not arn:
            raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
        if ":endpoint/" in arn:
            raise not_supported("Publishing to a platform application endpoint")
        topic = self._topic(ctx, arn, "Publish", "TopicArn" if request.get("TopicArn") else "TargetArn")
        message = publishing.build(topic, request)
        (sent,) = publishing.publish(topic, [message], ctx.request.base_url)
        result = {"MessageId": sent.message_id}
        if sent.sequence_number is not None:
            result["SequenceNumber"] = sent.sequence_number
        return result

    def publish_batch(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, request["TopicArn"], "Publish")
        entries = request["PublishBatchRequestEntries"]
        publishing.check_batch(entries)
        built, failed = publishing.build_batch(topic, entries)
        sent = publishing.publish(topic, [message for _, message in built], ctx.request.base_url)
        successful = []
        for (entry_id, _), message in zip(built, sent, strict=True):
            item = {"Id": entry_id, "MessageId": message.message_id}
            if message.sequence_number is not None:
                item["SequenceNumber"] = message.sequence_number
            successful.append(item)
        return {"Successful": successful, "Failed": failed}
