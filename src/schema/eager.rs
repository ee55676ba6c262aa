//! `Eager<T>`: the same GraphQL type as `T`, resolved synchronously inside
//! an async query. Juniper's async executor gives every field of every
//! object its own boxed future, even for plain getters; a leaderboard is
//! twenty rows of a dozen fields, and those futures cost more than the
//! rest of the request. Objects whose fields only read memory (no I/O, no
//! `async fn`) are wrapped in `Eager` where an async resolver returns them
//! (the leaderboard, and the history lists such as `Eager<Vec<Lap>>`), and
//! Juniper's sync path resolves the whole subtree in one call.
//!
//! The schema does not change: `Eager<T>` has `T`'s name and meta type.
//! Wrapping an object with an `async` field would make Juniper panic on
//! it, so only objects of getters belong here (each use names its type).

use juniper::macros::reflect::{BaseSubTypes, BaseType, Types, WrappedType};
use juniper::marker::IsOutputType;
use juniper::meta::MetaType;
use juniper::{
    ArcStr, Arguments, BoxFuture, ExecutionResult, Executor, GraphQLType, GraphQLValue,
    GraphQLValueAsync, Registry, ScalarValue, Selection,
};

pub struct Eager<T>(pub T);

impl<S: ScalarValue, T: GraphQLType<S>> GraphQLType<S> for Eager<T> {
    fn name(info: &Self::TypeInfo) -> Option<ArcStr> {
        T::name(info)
    }

    fn meta(info: &Self::TypeInfo, registry: &mut Registry<S>) -> MetaType<S> {
        T::meta(info, registry)
    }
}

impl<S: ScalarValue, T: GraphQLValue<S>> GraphQLValue<S> for Eager<T> {
    type Context = T::Context;
    type TypeInfo = T::TypeInfo;

    fn type_name(&self, info: &Self::TypeInfo) -> Option<ArcStr> {
        self.0.type_name(info)
    }

    fn resolve_field(
        &self,
        info: &Self::TypeInfo,
        field: &str,
        args: &Arguments<S>,
        executor: &Executor<Self::Context, S>,
    ) -> ExecutionResult<S> {
        self.0.resolve_field(info, field, args, executor)
    }

    fn resolve(
        &self,
        info: &Self::TypeInfo,
        selection_set: Option<&[Selection<S>]>,
        executor: &Executor<Self::Context, S>,
    ) -> ExecutionResult<S> {
        self.0.resolve(info, selection_set, executor)
    }
}

impl<S, T> GraphQLValueAsync<S> for Eager<T>
where
    S: ScalarValue + Send + Sync,
    T: GraphQLValue<S> + Sync,
    T::TypeInfo: Sync,
    T::Context: Sync,
{
    fn resolve_async<'a>(
        &'a self,
        info: &'a Self::TypeInfo,
        selection_set: Option<&'a [Selection<S>]>,
        executor: &'a Executor<Self::Context, S>,
    ) -> BoxFuture<'a, ExecutionResult<S>> {
        Box::pin(std::future::ready(self.0.resolve(
            info,
            selection_set,
            executor,
        )))
    }
}

impl<S: ScalarValue, T: IsOutputType<S>> IsOutputType<S> for Eager<T> {}

impl<S, T: BaseType<S>> BaseType<S> for Eager<T> {
    const NAME: juniper::macros::reflect::Type = T::NAME;
}

impl<S, T: BaseSubTypes<S>> BaseSubTypes<S> for Eager<T> {
    const NAMES: Types = T::NAMES;
}

impl<S, T: WrappedType<S>> WrappedType<S> for Eager<T> {
    const VALUE: u128 = T::VALUE;
}
